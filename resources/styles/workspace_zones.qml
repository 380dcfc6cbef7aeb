<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!--
  Hotspot Patrol - workspace "zones" layer (the patrol plan being edited).
  An editing style: a light reddish-purple wash (Okabe-Ito #cc79a7, kept apart from the coverage
  status colours) under a strong outline, so vertices, snapping and overlaps are easy to see on any
  background. Labels: zone id and priority, with the name on a second line.
-->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="1">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="204,121,167,56"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="outline_color" type="QString" value="136,34,85,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.6"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="joinstyle" type="QString" value="miter"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="concat(&quot;zone_id&quot;, if(&quot;priority&quot; IS NULL, '', ' · P' || &quot;priority&quot;), if(coalesce(&quot;name&quot;, '') = '', '', '\n' || &quot;name&quot;))" isExpression="1" fontSize="8.5" fontSizeUnit="Point" fontItalic="0" textColor="102,17,68,255" textOpacity="1" multilineHeight="1" blendMode="0" fontKerning="1" capitalization="0" allowHtml="0" useSubstitutions="0">
        <text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.9" bufferJoinStyle="128" bufferNoFill="1" bufferBlendMode="0"/>
        <background shapeDraw="0"/>
        <shadow shadowDraw="0"/>
      </text-style>
      <text-format multilineAlign="1" wrapChar="" autoWrapLength="0" formatNumbers="0" addDirectionSymbol="0"/>
      <placement placement="1" quadOffset="1" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" dist="0" distUnits="MM" offsetType="0" xOffset="0" yOffset="0" offsetUnits="MM" priority="6" polygonPlacementFlags="2" placementFlags="10"/>
      <rendering scaleVisibility="1" scaleMin="1" scaleMax="25000" obstacle="1" obstacleType="1" obstacleFactor="1" displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" limitNumLabels="0" maxNumLabels="2000" fontLimitPixelSize="0" zIndex="0" drawLabels="1"/>
    </settings>
  </labeling>
</qgis>
