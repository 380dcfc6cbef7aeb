<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>HotspotPatrol</name>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="76"/>
        <source>Hotspot Patrol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="93"/>
        <source>Load sample data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="94"/>
        <source>Add the bundled sample: Leeds crime, officer pings, zones and waypoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="96"/>
        <source>Identify hot spots…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="97"/>
        <source>Gi* hot spots from a crime layer, cut into zones to patrol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="99"/>
        <source>Open the Zones panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="100"/>
        <source>The patrol workspace's zones: create, import, draw and check them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="102"/>
        <source>Plan patrols…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="103"/>
        <source>Randomised Koper patrol schedules for the workspace zones, with a briefing pack</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="105"/>
        <source>Import officer tracks…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="106"/>
        <source>Read GPS exports (CSV, GPX, GeoJSON, NMEA) into one layer of pings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="108"/>
        <source>Match officer tracks…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="109"/>
        <source>Match officer tracks to hot spots: visits, dwell and coverage per zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="111"/>
        <source>Export briefing pack…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="112"/>
        <source>A PDF briefing pack from the latest coverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="115"/>
        <source>Evaluate hot spot patrols…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="116"/>
        <source>Did it work? WDD/WDQ against comparison areas, displacement, dosage and ROI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="118"/>
        <source>Public patrol report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="119"/>
        <source>A public HTML and PDF report: no officer ids, small counts suppressed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="121"/>
        <source>Start here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="122"/>
        <source>The order of work, with a button for each step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/plugin.py" line="216"/>
        <source>Sample loaded: try Identify hot spots on the crimes, then Match officer tracks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/base.py" line="31"/>
        <source>Patrol analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="20"/>
        <source>&lt;p&gt;Compares a patrol plan (the SCHEDULE of &lt;i&gt;Plan randomised hot spot patrols&lt;/i&gt;) with what happened (the VISITS of &lt;i&gt;Match officer tracks to hot spots&lt;/i&gt; for the same period): for every planned visit, was it made, by whom, how late, for how long and in which band.&lt;/p&gt; &lt;p&gt;A planned visit is &lt;b&gt;made&lt;/b&gt; by a counted visit (pass-throughs never count) to the same zone that starts within &lt;i&gt;Tolerance&lt;/i&gt; minutes of the planned arrival, or overlaps the planned stay. Each actual visit makes at most one planned visit; the closest arrivals are paired first. With a unit ↔ patrol table only the patrol's own units count; without one any unit does. Units are shown as they are in VISITS, so pseudonyms stay pseudonyms.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Status&lt;/b&gt;: on plan; late or early (arrival more than &lt;i&gt;Late after&lt;/i&gt; minutes off the plan); short (the actual visit is in the short band); missed. A visit made in another zone than planned shows as missed in the planned zone and as unplanned in the other.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; PLANNED_VISITS: one row per planned visit with the actual visit's unit, entry, exit, arrival offset, dwell, band and status. BY_ZONE: per zone (on the map when ZONES is given, coloured by the share made): planned, made, on target, their shares, presence planned and delivered (minutes) and unplanned visits. BY_PATROL_DAY: the same per patrol and day. BRIEFING: a PDF in the look of the patrol briefing pack, for the sergeant's debrief: the map of the zones coloured by the share made, the headline ("31 of 36 planned visits made (86%), 24 on target"), counts by status, and tables per zone, per patrol and day and of the planned visits not made as planned (units as in VISITS, no tracks). Schedule times without an offset are read as local times in &lt;i&gt;Time zone&lt;/i&gt;.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="62"/>
        <source>Plan against actual (compliance)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="63"/>
        <source>Patrol planning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="88"/>
        <source>Schedule (SCHEDULE of Plan randomised hot spot patrols)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="90"/>
        <source>Visits (VISITS of Match officer tracks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="92"/>
        <source>Zones, for the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="94"/>
        <source>Unit ↔ patrol table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="105"/>
        <source>Time zone of schedule times without an offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="107"/>
        <source>Planned visits, made or missed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="108"/>
        <source>Compliance by zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="110"/>
        <source>Compliance by patrol and day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="112"/>
        <source>Compliance briefing page (PDF; needs the zones)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="112"/>
        <source>PDF files (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/compliance.py" line="114"/>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="25"/>
        <source>&lt;p&gt;Did crime fall in the patrolled hot spots, did it move round the corner, did it fall more where officers stayed longer, and what did it return for the money? Give the crimes, the patrolled zones (TREATED) and two periods; everything else is optional.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Areas.&lt;/b&gt; Each treated zone is compared with a control zone (CONTROL). Left empty, a control is chosen for every treated zone automatically: copies of the zone's own shape moved in whole steps around it, outside every treated zone and its ring, and the one whose before-period count is closest to the zone's is taken (the choice is listed in the log and in CONTROL_CHOICE). A displacement ring BUFFER metres wide is drawn around each treated and each control zone; rings are clipped so they never overlap a treated or control zone, and a crime counts in one area only.&lt;/p&gt; &lt;p&gt;&lt;b&gt;WDD&lt;/b&gt; (Wheeler &amp;amp; Ratcliffe 2018): WDD = &amp;Delta;T &amp;minus; &amp;Delta;Ct + &amp;Delta;D &amp;minus; &amp;Delta;Cd (after minus before in the treated zones, their controls, the rings and the controls' rings); negative means fewer crimes than expected. Under a Poisson assumption its variance is the sum of the eight counts; z = WDD / SE, the two-sided p-value and a CONFIDENCE interval follow. When the periods differ in length the before counts are divided by the ratio of the lengths (and their variances by its square), so the WDD is in crimes per after period. Area weights (relative to each treated zone) are used only when asked for, as in the paper. The harm-weighted total weighs each crime type's WDD by its harm (HARM_TABLE, or each distinct HARM_FIELD value as its own class) and adds the variances times the weight squared; the weights are never applied to the counts. Where counts are tiny the Poisson E-test (Krishnamoorthy &amp;amp; Thomson 2004) of the treated zones' after versus before rate is given too.&lt;/p&gt; &lt;p&gt;&lt;b&gt;WDQ&lt;/b&gt; (Bowers &amp;amp; Johnson 2003; POP Center tool guide 10): success measure Ra/Ca &amp;minus; Rb/Cb (negative = success), WDQ = (Da/Ca &amp;minus; Db/Cb) / (Ra/Ca &amp;minus; Rb/Cb) and total net effect TNE = [Rb&amp;middot;Ca/Cb &amp;minus; Ra] + [Db&amp;middot;Ca/Cb &amp;minus; Da]. WDQ above 1: diffusion larger than the direct effect; 0 to 1: diffusion; 0 to &amp;minus;1: displacement smaller than the gain; below &amp;minus;1: the gain eclipsed. The WDQ is refused, with the reason, when the control had no crimes or crime did not fall in the treated zones.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Dosage&amp;ndash;response&lt;/b&gt; (with COVERAGE, the Coverage output of &amp;lsquo;Match officer tracks to hot spots&amp;rsquo;): Poisson regression of after counts on log(before + 1) and presence hours per zone; the rate ratio per extra hour, with its interval (quasi-Poisson when overdispersed), and a chart.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Return on investment&lt;/b&gt; (with COVERAGE, PATROL_COST per officer-hour and CRIME_COSTS, a CSV of crime type, cost of one crime; a row &amp;lsquo;*&amp;rsquo; covers every type): crimes prevented (&amp;minus;WDD per type) &amp;times; their cost &amp;divide; officer-hours &amp;times; PATROL_COST, with the WDD interval carried through, and the break-even cost per officer-hour. No costs are built in: the report names the source you give (COST_SOURCE).&lt;/p&gt; &lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; OUTPUT: the treated zones with their counts, WDD, WDQ and a plain-language sentence, styled by result. AREAS: treated and control zones and rings, for the map. SUMMARY: all zones together, each crime type and the harm total. CHART and DOSE_CHART: PNG charts drawn offline.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="88"/>
        <source>Evaluate hot spot patrols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="89"/>
        <source>Evaluation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="151"/>
        <source>Zone id field (empty: zone_id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="167"/>
        <source>Time zone of dates without an offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="220"/>
        <source>Weight counts by area (default off, as in the paper)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="131"/>
        <source>Crimes (points, any CRS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="135"/>
        <source>Date or date-time of each crime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="140"/>
        <source>Crime type field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="144"/>
        <source>Patrolled zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="148"/>
        <source>Control zones (empty: chosen automatically)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="156"/>
        <source>Displacement ring width (m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="174"/>
        <source>Harm weight field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="183"/>
        <source>Or a harm table: CSV of crime type, weight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="192"/>
        <source>Coverage from 'Match officer tracks' (dosage and officer-hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="199"/>
        <source>Cost per officer-hour (0: no ROI)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="205"/>
        <source>Costs of crime: CSV of crime type, cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="212"/>
        <source>Whose costs (named in the report)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="216"/>
        <source>Confidence level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="225"/>
        <source>Evaluation per zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="227"/>
        <source>Evaluation areas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/evaluate.py" line="229"/>
        <source>Evaluation summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="28"/>
        <source>&lt;p&gt;Prints the result of &lt;i&gt;Match officer tracks to hot spots&lt;/i&gt; as a briefing pack that supervisors and officers can read without QGIS: a PDF (and, if you choose a folder, one PNG per page).&lt;/p&gt; &lt;p&gt;&lt;b&gt;Page 1&lt;/b&gt;: title, period, area, a map of all zones coloured by status, legend, scale bar, north arrow, date of production, a note on the data, and a table of the zones (id, name, priority, visits, median dwell, status, last visit, page). Long tables continue on the next pages. &lt;b&gt;Then one page per zone&lt;/b&gt;, at a readable scale: the zone, its waypoints, the visit paths of the period coloured by band, a locator map, key figures and a table of the zone's visits.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Officer ids are pseudonymised&lt;/b&gt; with a keyed hash: the same unit gets the same pseudonym (e.g. U-3f9a2c) in every pack made with the same key, and nobody without the key can recompute it. Without a key a random one is used for this pack only. Tick &lt;i&gt;Show unit ids&lt;/i&gt; only for packs that stay with the analyst.&lt;/p&gt; &lt;p&gt;Works offline: the maps show only the layers you give (zones, visits, waypoints and any background layers you choose, e.g. a local street map). The pack's layout is added to the project (Project &amp;gt; Layouts) with its pseudonymised data layers, so you can adjust it and re-export with Atlas &amp;gt; Export Atlas as PDF. The legend names the target band; it is the band the coverage layer was styled with unless you set it. Input layers are never modified.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="51"/>
        <source>Export briefing pack (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="52"/>
        <source>Reporting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="87"/>
        <source>Coverage (COVERAGE output of Match officer tracks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="89"/>
        <source>Visits (VISITS output of Match officer tracks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="92"/>
        <source>Waypoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="94"/>
        <source>Background layers, drawn underneath (local data only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="97"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="99"/>
        <source>Area name (e.g. the district or beat)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="101"/>
        <source>Paper (landscape)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="104"/>
        <source>Zones in order of (zone: id; status: not visited and below target first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="107"/>
        <source>Pseudonymisation key for unit ids (keep it secret; the same key gives the same pseudonyms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="110"/>
        <source>Show real unit ids (not for packs that leave the analyst)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="124"/>
        <source>Briefing pack (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="126"/>
        <source>Folder for one PNG per page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="127"/>
        <source>Pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="128"/>
        <source>Layout name in the project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/export_briefing.py" line="129"/>
        <source>PNG pages written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="28"/>
        <source>&lt;p&gt;Finds statistically significant hot spots of crime and turns them into zones to patrol.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Grid.&lt;/b&gt; The study area (a polygon layer, or by default the extent of the crimes) is covered with hexagons (or squares) &lt;i&gt;Cell size&lt;/i&gt; metres apart centre to centre, in the output CRS. Every crime counts in exactly one cell (a crime on a shared edge belongs to one of the two cells). Each crime weighs 1, or the value of the weight field, or the weight of its type in the harm table (a CSV of &lt;i&gt;crime type, weight&lt;/i&gt;); &lt;code&gt;harm&lt;/code&gt; is the cell's total weight.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Statistic.&lt;/b&gt; Getis-Ord Gi* on harm, with binary weights to the adjacent cells (6 hexagons or 8 squares) plus the cell itself, over all n cells of the grid (empty cells included):&lt;/p&gt; &lt;p&gt;&lt;code&gt;z&lt;sub&gt;i&lt;/sub&gt; = (S&lt;sub&gt;i&lt;/sub&gt; &amp;minus; x&amp;#772; W&lt;sub&gt;i&lt;/sub&gt;) / ( s &amp;radic;[(n W&lt;sub&gt;i&lt;/sub&gt; &amp;minus; W&lt;sub&gt;i&lt;/sub&gt;&amp;sup2;) / (n &amp;minus; 1)] )&lt;/code&gt;&lt;/p&gt; &lt;p&gt;where S&lt;sub&gt;i&lt;/sub&gt; is the harm in cell i and its neighbours, W&lt;sub&gt;i&lt;/sub&gt; how many cells that is, x&amp;#772; the mean and s the standard deviation (divided by n) of harm per cell. &lt;code&gt;gi_p&lt;/code&gt; is the two-sided p-value of z under the normal approximation; &lt;code&gt;gi_p_fdr&lt;/code&gt; is that p adjusted by Benjamini&amp;ndash;Hochberg across all cells, which controls the false discovery rate among the many cells tested. &lt;code&gt;class&lt;/code&gt;: hot/cold 99%, 95%, 90% where gi_p_fdr &amp;le; 0.01, 0.05, 0.10 (hot when z &amp;gt; 0), else not significant.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; GRID: every cell with &lt;code&gt;cell_id, crimes, harm, gi_z, gi_p, gi_p_fdr, class&lt;/code&gt;. HOTSPOTS: hot cells with gi_p_fdr &amp;le; &lt;i&gt;Alpha&lt;/i&gt; that share an edge, dissolved into zones (&lt;code&gt;zone_id&lt;/code&gt; HS-001&amp;hellip; ranked by harm, &lt;code&gt;crimes, harm, area_m2, cells, peak_gi_z&lt;/code&gt;); zones with fewer than &lt;i&gt;Min crimes&lt;/i&gt; are dropped and counted. They import straight into a patrol workspace and feed &amp;lsquo;Match officer tracks to hot spots&amp;rsquo;. CONCENTRATION: the cumulative share of harm against the cumulative share of area, cells sorted by harm, and the headline &amp;ldquo;x% of the area holds 50% of the harm&amp;rdquo;.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Filters.&lt;/b&gt; A period (on the date field; both ends included; times without an offset are local to the time zone) and a list of crime types (separated by commas, or semicolons when a type contains a comma; case does not matter). Crimes without a location, with a bad date (when a period is set) or without a weight are skipped and counted by reason; the input is never modified.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="68"/>
        <source>Identify hot spots from crime data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="69"/>
        <source>Hot spot analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="110"/>
        <source>Crimes (point layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="112"/>
        <source>Date field (for the period)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="123"/>
        <source>Only these crime types (comma-separated; empty: all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="125"/>
        <source>Harm weight field (empty: every crime weighs 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="131"/>
        <source>Study area (empty: the crimes' extent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="134"/>
        <source>Cell shape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="136"/>
        <source>Cell size: metres between the centres of adjacent cells</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="139"/>
        <source>Alpha: false discovery rate for hot spot zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="142"/>
        <source>Min crimes: fewest crimes a hot spot zone may hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="145"/>
        <source>Max zone size: larger clusters are cut at their Gi* peaks (m², 0: no limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="148"/>
        <source>Name zones after (the most common value in each; police.uk: Location)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="151"/>
        <source>Output CRS (projected, metres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="153"/>
        <source>Gi* grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="155"/>
        <source>Hot spot zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/identify_hotspots.py" line="157"/>
        <source>Crime concentration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="28"/>
        <source>&lt;p&gt;Turns the location exports forces have into one clean track layer, ready for &lt;i&gt;Match officer tracks to hot spots&lt;/i&gt;. Give one file, several files or a folder (CSV/TSV/TXT with any delimiter, with or without a header, UTF-8 or Windows-1252; GPX tracks, routes and waypoints; GeoJSON; KML; NMEA logs with $GPRMC/$GPGGA) or an existing point layer.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Columns&lt;/b&gt; are detected by name and content (callsign, collar number, device id, ISSI; time, or a date and a time column; latitude/longitude, British National Grid easting/northing or a WKT column; speed, heading, accuracy or HDOP). Name any of them to override. The log and the report say what was chosen. For one-officer GPX files the unit is the track name, else the file name.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Times&lt;/b&gt;: ISO 8601 with or without an offset, UK day-first dates (24/11/2026 14:05:09), month-first only when you say so, year-first, epoch seconds, milliseconds, microseconds or nanoseconds (the unit decided by the size of the numbers, and named in the log). Whether numeric dates are day- or month-first is decided from the data (a day above 12 proves it) and reported; when the data cannot prove it they are read day-first and the log says so. Times without an offset are local to the time zone; the repeated autumn hour is resolved by each unit's ping order.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Cleaning&lt;/b&gt;, every step counted by reason with example rows in the report: rows without a unit, time or position; (0,0) and out-of-area coordinates; future times; accuracy worse than the limit (HDOP is compared as given); exact duplicates; a second position at the same time; impossible jumps (a single ping faster than the speed limit there and back; 0 switches this off). Out-of-order rows are sorted. Duplicates, (0,0), out-of-area and future-time checks can each be switched off under &lt;i&gt;Cleaning steps&lt;/i&gt;; rows without a unit, a readable time or a position can never be imported.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Pseudonymisation&lt;/b&gt;: with a key, unit ids become keyed HMAC-SHA256 pseudonyms such as U-3f9a2c, the same every month for the same key. The key is not written to the outputs, and Processing's log and history show ******** in its place.&lt;/p&gt; &lt;p&gt;Outputs: a GeoPackage point layer (unit_id, time in UTC, speed, heading, accuracy, source_file, source_row) with a spatial index, a per-unit summary table and an HTML report. An output never replaces an input: naming an input file (or a layer the run reads) as an output stops the run with one sentence; a new layer in an input GeoPackage (&lt;code&gt;file.gpkg|layername=tracks&lt;/code&gt;) is fine. When no row can be imported the run fails with the reasons, so a script never sees success and an empty layer.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="96"/>
        <source>Import officer tracks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="97"/>
        <source>Data preparation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="135"/>
        <source>Order of numeric dates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="139"/>
        <source>Time zone of times without an offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="149"/>
        <source>Cleaning steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="125"/>
        <source>Track files or folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="127"/>
        <source>…or an existing point layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="134"/>
        <source>CRS of the coordinates (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="144"/>
        <source>Impossible jump above (km/h; 0 = keep all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="147"/>
        <source>Drop pings with accuracy worse than (metres; empty = keep all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="154"/>
        <source>Pseudonymisation key (empty = keep unit ids)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="156"/>
        <source>Output CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="158"/>
        <source>Imported tracks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="160"/>
        <source>Per-unit summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="162"/>
        <source>Import report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="162"/>
        <source>HTML files (*.html)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="164"/>
        <source>Rows read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/import_tracks.py" line="165"/>
        <source>Rows kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="22"/>
        <source>&lt;p&gt;Measures every visit of every officer (unit) to every hot spot zone: entry time, exit time and dwell, judged against the 10–15 minute target (the Koper curve).&lt;/p&gt; &lt;p&gt;&lt;b&gt;How visits are measured.&lt;/b&gt; Each unit's pings are put in time order (exact duplicates count once). Between two pings at most &lt;i&gt;Max gap&lt;/i&gt; apart the unit is assumed to move in a straight line at constant speed; across a longer gap nothing is inferred. Entry and exit are the moments this path crosses the zone boundary (grown by &lt;i&gt;Boundary tolerance&lt;/i&gt;; the boundary counts as inside), not the times of the nearest pings, so a unit that crosses a zone between two pings still makes a visit. Visits of one unit to one zone less than &lt;i&gt;Merge gap&lt;/i&gt; apart are one visit. Visits shorter than &lt;i&gt;Min dwell&lt;/i&gt; are pass-throughs: listed, not counted. Bands: short (&amp;lt; target min), target, long (&amp;gt; target max).&lt;/p&gt; &lt;p&gt;&lt;b&gt;Times&lt;/b&gt; may be date-time fields, ISO 8601 text with or without an offset, or epoch seconds/milliseconds. Times without an offset are local to &lt;i&gt;Time zone&lt;/i&gt;; the repeated autumn hour is resolved by each unit's ping order.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; VISITS: one line per visit (the path inside the zone) with entry/exit in UTC. COVERAGE: the zones with visits by band, total and median dwell, presence (the union of all units' time in the zone: two officers together count once), distinct units, first/last visit and a status from the median dwell. WAYPOINT_VISITS: the same for waypoints (a disc of &lt;i&gt;Waypoint radius&lt;/i&gt;).&lt;/p&gt; &lt;p&gt;Rows with no unit, no usable time or no coordinates are skipped, counted by reason in the log and in SKIPPED_ROWS. Inputs are never modified.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="74"/>
        <source>Match officer tracks to hot spots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="121"/>
        <source>Officer pings (point layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="123"/>
        <source>Unit / officer / callsign field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="125"/>
        <source>Time field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="131"/>
        <source>Hot spot zones (polygon layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="133"/>
        <source>Zone id field (default: zone_id, else the feature id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="136"/>
        <source>Waypoints (point layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="138"/>
        <source>Waypoint id field (default: waypoint_id, else the feature id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="150"/>
        <source>Visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="152"/>
        <source>Coverage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="154"/>
        <source>Waypoint visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="157"/>
        <source>Dwell-time histogram (visits per minute of dwell, against the band)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="159"/>
        <source>Pings skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="160"/>
        <source>Pings skipped, by reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="161"/>
        <source>Visits found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/match_tracks.py" line="163"/>
        <source>Zones left out: no geometry (their ids)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="28"/>
        <source>&lt;p&gt;Plans who visits which hot spot when, for one or more days: short visits (about 15 minutes, the Koper curve) at random times, coming back no sooner than &lt;i&gt;Min spacing&lt;/i&gt; and, wherever the patrols allow, at least every &lt;i&gt;Max spacing&lt;/i&gt; through the shift. The times and the order change every day and with every seed, so nobody can predict them.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Zones.&lt;/b&gt; Each zone is planned from its &lt;i&gt;zone_id&lt;/i&gt;; the workspace fields are used when present: &lt;i&gt;visits_per_day&lt;/i&gt; (empty: one more than the fewest visits that keep every gap within the maximum spacing), &lt;i&gt;priority&lt;/i&gt; (1 highest: when the patrols cannot deliver every visit, lower priorities give up visits first), &lt;i&gt;target_min&lt;/i&gt;/&lt;i&gt;target_max&lt;/i&gt; (the dwell is kept inside the zone's band) and &lt;i&gt;active_from&lt;/i&gt;/&lt;i&gt;active_to&lt;/i&gt; (times of day HH:MM narrow the zone's window; dates YYYY-MM-DD leave the zone out of days outside them).&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Shift.&lt;/b&gt; &lt;i&gt;Shift start&lt;/i&gt; and &lt;i&gt;Shift end&lt;/i&gt; are local times (Europe/London) and may cross midnight (18:00–02:00). On the nights the clocks change the shift is an hour longer or shorter, as it is on the street.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Patrols.&lt;/b&gt; A number (foot patrols), counts per mode ('2 foot, 1 vehicle'), or a point layer of patrols with an id field (patrol, id or callsign), a &lt;i&gt;mode&lt;/i&gt; field (foot or vehicle) and the start location as the point.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Travel.&lt;/b&gt; Straight-line distance times a detour factor at each mode's speed ('foot 4.5, vehicle 25, detour 1.3', km/h), or a road line layer (its name, id or path, optionally followed by speeds after a ';'), in which case travel times are shortest paths over the network (QGIS network analysis). Every leg's travel time fits between leaving one zone and arriving at the next; a patrol is never in two places at once.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Seed.&lt;/b&gt; The same seed gives the same plan; empty draws one, which is printed in the log and written in the outputs so the plan can be made again.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; SCHEDULE: one row per visit (day, patrol, seq, zone_id, arrive, leave as local date-times, travel_min from the previous stop). ROUTES: one line per patrol and day through its stops, numbered. FEASIBILITY: per zone and day, visits wanted and planned, the longest gap and the shortest spacing, with a note. The log says exactly which zones get fewer visits than asked and what would cover them (one more patrol of a mode, or a longer shift, each tried by planning the day again), and compares the plan with a naive round-robin rota: visits delivered, zones covered, idle time and predictability (the entropy of start times per zone; how many visits are at the same time as the day before). BRIEFING: a PDF with one page per patrol and day (map with numbered stops, times and zone names) for the sergeant to hand out.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="51"/>
        <source>Plan randomised hot spot patrols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="85"/>
        <source>Hot spot zones (workspace zones or HOTSPOTS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="90"/>
        <source>Shift start (local time, HH:MM)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="92"/>
        <source>Shift end (local time, HH:MM; may be after midnight)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="94"/>
        <source>Patrols: a number, '2 foot, 1 vehicle', or a point layer of patrols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="97"/>
        <source>Travel: speeds (km/h) and detour factor, or a road line layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="105"/>
        <source>Seed (empty: random, printed in the log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="107"/>
        <source>Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="109"/>
        <source>Routes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="111"/>
        <source>Feasibility per zone and day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="114"/>
        <source>Patrol briefing pack (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="116"/>
        <source>Feasibility summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="117"/>
        <source>Seed used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="118"/>
        <source>Visits planned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/plan_patrols.py" line="119"/>
        <source>Visits asked for but not planned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="16"/>
        <source>&lt;p&gt;Colours a coverage layer (the COVERAGE output of &lt;i&gt;Match officer tracks to hot spots&lt;/i&gt;, or any layer with its fields) by status, with a colour-blind-safe palette: &lt;b&gt;not visited&lt;/b&gt; grey and hatched, &lt;b&gt;below target&lt;/b&gt; orange, &lt;b&gt;on target&lt;/b&gt; green, &lt;b&gt;above target&lt;/b&gt; blue. The legend says what each colour means for the target band you choose (e.g. "on target: median visit 10–15 min") and zones are labelled with their id, visits and median minutes at street scales.&lt;/p&gt; &lt;p&gt;The status itself is not recomputed: choose the band the coverage was measured with. When the layer's medians do not fit the chosen band, a warning says how many zones disagree.&lt;/p&gt; &lt;p&gt;The style changes how the layer is drawn, never its data. Optionally the style is also saved as a QML file, to share or to load onto other layers.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="31"/>
        <source>Style coverage layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="49"/>
        <source>Coverage layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="55"/>
        <source>Also save the style as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="55"/>
        <source>QGIS layer style (*.qml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="57"/>
        <source>Styled layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/style_coverage.py" line="59"/>
        <source>Zones whose status does not fit the chosen band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="22"/>
        <source>&lt;p&gt;A report for the public and the police and crime commissioner, in HTML and PDF: per zone and month the patrol hours delivered, the visits and the share of visits on target (10&amp;ndash;15 minutes), crime before and after with the evaluation's headline in plain English, a map of the zones drawn offline, and a section on what a visit is and what the numbers can and cannot say.&lt;/p&gt; &lt;p&gt;&lt;b&gt;What it never contains.&lt;/b&gt; No officer ids, no tracks and no times of individual visits: only totals per zone and month. Counts from 1 to THRESHOLD &amp;minus; 1 are shown as &amp;ldquo;&amp;lt;5&amp;rdquo; (for the default 5), and further numbers are hidden (&amp;ldquo;*&amp;rdquo;) wherever a row or column total would otherwise give a hidden number away. With GENERALISE the zones are drawn only as dots at their centroid snapped to a grid of GRID_SIZE metres, for sensitive locations.&lt;/p&gt; &lt;p&gt;&lt;b&gt;Inputs.&lt;/b&gt; VISITS: the Visits output of &amp;lsquo;Match officer tracks to hot spots&amp;rsquo; (pass-throughs are left out). ZONES: the zone polygons for the map. EVALUATION (optional): the &amp;lsquo;Evaluation per zone&amp;rsquo; output of &amp;lsquo;Evaluate hot spot patrols&amp;rsquo;, with HEADLINE its headline. The HTML is one self-contained file: images inline, no scripts, no fonts or styles fetched, and a content security policy that forbids any request.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="42"/>
        <source>Public patrol report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="78"/>
        <source>Zone id field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="81"/>
        <source>Time zone for months</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="56"/>
        <source>Visits (from Match officer tracks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="60"/>
        <source>Zones (for the map)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="65"/>
        <source>Evaluation per zone (from Evaluate hot spot patrols)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="72"/>
        <source>Headline (the evaluation's HEADLINE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="85"/>
        <source>Hide counts below</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="88"/>
        <source>Show zones generalised (dots on a grid)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="92"/>
        <source>Grid for generalised zones (m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="95"/>
        <source>Report (HTML)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="98"/>
        <source>Report (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/processing/transparency_report.py" line="101"/>
        <source>Numbers hidden</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/plan_action.py" line="60"/>
        <source>The patrol planner is not available: is the Processing plugin enabled?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="94"/>
        <source>Hotspot Patrol: Shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="106"/>
        <source>The pings layer the AVL feed writes to (PostGIS table, GeoPackage or CSV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="119"/>
        <source>A planpatrols SCHEDULE table (day, patrol, seq, zone_id, arrive, leave); empty: visits_per_day × the target minimum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="130"/>
        <source>Pings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="131"/>
        <source>Unit, time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="132"/>
        <source>Zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="133"/>
        <source>Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="134"/>
        <source>Shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="139"/>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="140"/>
        <source>Replay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="141"/>
        <source>Live follows the growing pings layer; Replay plays the shift's pings again at the chosen speed (training, demos)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="143"/>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="146"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="148"/>
        <source>Read the new pings now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="151"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="152"/>
        <source>manual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="153"/>
        <source>Refresh every … seconds (the pings layer's own refresh interval when it has one: Layer Properties ▸ Rendering ▸ Refresh layer at interval)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="155"/>
        <source>Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="161"/>
        <source>Replay speed: shift minutes played per real minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="431"/>
        <source>Shift: zones due now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="584"/>
        <source>During the shift: which hot spots are due a visit now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="230"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="266"/>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="341"/>
        <source>Choose a pings layer and a zones layer first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="343"/>
        <source>Choose the pings layer's unit and time fields first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="345"/>
        <source>The shift ends before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/shift_dock.py" line="353"/>
        <source>The zones layer has no zones with a geometry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="25"/>
        <source>Try it on the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="26"/>
        <source>Loads police.uk crime for central Leeds (July 2018), six units' evening pings and ten zones, so every step below can be tried in a minute.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="29"/>
        <source>Find the hot spots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="30"/>
        <source>Gi* statistics on a crime layer give significant hot spots, already cut into zones to patrol.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="32"/>
        <source>Plan the zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="33"/>
        <source>Create a patrol workspace, import the hot spot zones (their ids are kept), draw or adjust zones, set each zone's target band and visits per day.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="36"/>
        <source>Plan the patrols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="37"/>
        <source>Randomised visit times per patrol and day, about 15 minutes each, spaced and feasible on foot or by vehicle, with a briefing page per patrol.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="41"/>
        <source>GPS exports (CSV, GPX, GeoJSON, NMEA): columns and date order are detected and shown before anything is read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="44"/>
        <source>Match tracks to zones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="45"/>
        <source>Every visit's entry, exit and dwell, and each zone's coverage against its target band.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="47"/>
        <source>Brief</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="48"/>
        <source>A PDF briefing pack: the coverage map, a table of zones and a page per zone, officers pseudonymised.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="50"/>
        <source>During the shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="51"/>
        <source>Which zones are due a visit now, who is inside, presence so far against the plan; live from PostGIS or replayed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="54"/>
        <source>Did it work?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="55"/>
        <source>Crime before and after against comparison areas, displacement rings, dosage and return on investment (WDD, WDQ).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="58"/>
        <source>Tell the public</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="59"/>
        <source>A self-contained HTML and PDF report per zone and month: no officer ids, small counts suppressed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../hotspot_patrol_plugin/ui/start_dock.py" line="72"/>
        <source>Hot spot patrols work best as short visits of 10–15 minutes at unpredictable times. These steps take you from crime data to a plan, a briefing pack and a public report; each button opens the tool with your layers already chosen.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
