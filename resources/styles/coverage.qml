<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!--
  Hotspot Patrol - COVERAGE output of "Match officer tracks to hot spots".
  Fill by status (Okabe-Ito, colour-blind safe); "not visited" is also hatched so it stands out
  in greyscale print. Category labels are rewritten by apply_coverage_style() to name the target
  band actually used (e.g. "on target: median visit 10-15 min").
  Labels: zone id at 1:50,000 and larger; plus visits and median minutes at 1:15,000 and larger.
-->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="1">
  <renderer-v2 type="categorizedSymbol" attr="status" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
    <categories>
      <category value="not visited" symbol="0" label="not visited" render="true"/>
      <category value="below target" symbol="1" label="below target: median visit under 10 min" render="true"/>
      <category value="on target" symbol="2" label="on target: median visit 10–15 min" render="true"/>
      <category value="above target" symbol="3" label="above target: median visit over 15 min" render="true"/>
    </categories>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="189,189,189,90"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="110,110,110,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.7"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="joinstyle" type="QString" value="round"/>
          </Option>
        </layer>
        <layer class="LinePatternFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="angle" type="QString" value="45"/>
            <Option name="distance" type="QString" value="2.2"/>
            <Option name="distance_unit" type="QString" value="MM"/>
            <Option name="line_width" type="QString" value="0.25"/>
            <Option name="line_width_unit" type="QString" value="MM"/>
            <Option name="color" type="QString" value="97,97,97,255"/>
          </Option>
          <symbol type="line" name="@0@1" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleLine" enabled="1" locked="0" pass="0">
              <Option type="Map">
                <Option name="line_color" type="QString" value="97,97,97,255"/>
                <Option name="line_style" type="QString" value="solid"/>
                <Option name="line_width" type="QString" value="0.25"/>
                <Option name="line_width_unit" type="QString" value="MM"/>
                <Option name="capstyle" type="QString" value="flat"/>
              </Option>
            </layer>
          </symbol>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="230,159,0,110"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="176,112,0,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.7"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="joinstyle" type="QString" value="round"/>
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="0,158,115,110"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="0,110,80,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.7"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="joinstyle" type="QString" value="round"/>
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="0,114,178,110"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="0,80,130,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.7"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="joinstyle" type="QString" value="round"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="&quot;zone_id&quot; || if(@map_scale &lt;= 15000, '\n' || &quot;visits&quot; || if(&quot;visits&quot; = 1, ' visit', ' visits') || if(&quot;dwell_median_min&quot; IS NULL, '', ' · ' || format_number(&quot;dwell_median_min&quot;, 1) || ' min'), '')" isExpression="1" fontSize="8" fontSizeUnit="Point" fontItalic="0" textColor="26,26,26,255" textOpacity="1" multilineHeight="1" blendMode="0" fontKerning="1" capitalization="0" allowHtml="0" useSubstitutions="0">
        <text-buffer bufferDraw="1" bufferSize="0.9" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128" bufferNoFill="1" bufferBlendMode="0"/>
        <background shapeDraw="0"/>
        <shadow shadowDraw="0"/>
      </text-style>
      <text-format multilineAlign="1" wrapChar="" autoWrapLength="0" formatNumbers="0" addDirectionSymbol="0"/>
      <placement placement="1" quadOffset="7" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" dist="0" distUnits="MM" offsetType="0" xOffset="0" yOffset="0" offsetUnits="MM" priority="6" polygonPlacementFlags="2" placementFlags="10"/>
      <rendering scaleVisibility="1" scaleMin="1" scaleMax="50000" obstacle="1" obstacleType="1" obstacleFactor="1" displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" limitNumLabels="0" maxNumLabels="2000" fontLimitPixelSize="0" zIndex="0" drawLabels="1"/>
    </settings>
  </labeling>
</qgis>
