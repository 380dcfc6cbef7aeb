<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!--
  Hotspot Patrol - workspace "waypoints" layer.
  A sky-blue dot with a dark outline (Okabe-Ito #56b4e9), and a dashed ring showing the presence
  radius on the ground (size in metres, so it scales with the map; apply_workspace_waypoints_style()
  sets it from the radius in use, 25 m by default). Labels: the waypoint's name, else its id.
-->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="1">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
    <symbols>
      <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="name" type="QString" value="circle"/>
            <Option name="color" type="QString" value="86,180,233,40"/>
            <Option name="outline_color" type="QString" value="0,114,178,255"/>
            <Option name="outline_style" type="QString" value="dash"/>
            <Option name="outline_width" type="QString" value="0.3"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="size" type="QString" value="50"/>
            <Option name="size_unit" type="QString" value="RenderMetersInMapUnits"/>
            <Option name="scale_method" type="QString" value="diameter"/>
          </Option>
        </layer>
        <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="name" type="QString" value="circle"/>
            <Option name="color" type="QString" value="86,180,233,255"/>
            <Option name="outline_color" type="QString" value="20,20,20,255"/>
            <Option name="outline_style" type="QString" value="solid"/>
            <Option name="outline_width" type="QString" value="0.4"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="size" type="QString" value="2.6"/>
            <Option name="size_unit" type="QString" value="MM"/>
            <Option name="scale_method" type="QString" value="diameter"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="coalesce(&quot;name&quot;, &quot;waypoint_id&quot;)" isExpression="1" fontSize="7.5" fontSizeUnit="Point" fontItalic="1" textColor="0,62,102,255" textOpacity="1" multilineHeight="1" blendMode="0" fontKerning="1" capitalization="0" allowHtml="0" useSubstitutions="0">
        <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.9" bufferJoinStyle="128" bufferNoFill="1" bufferBlendMode="0"/>
        <background shapeDraw="0"/>
        <shadow shadowDraw="0"/>
      </text-style>
      <text-format multilineAlign="0" wrapChar="" autoWrapLength="0" formatNumbers="0" addDirectionSymbol="0"/>
      <placement placement="6" predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR" dist="1.2" distUnits="MM" offsetType="0" xOffset="0" yOffset="0" offsetUnits="MM" priority="5" placementFlags="10"/>
      <rendering scaleVisibility="1" scaleMin="1" scaleMax="10000" obstacle="1" obstacleType="0" obstacleFactor="1" displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" limitNumLabels="0" maxNumLabels="2000" fontLimitPixelSize="0" zIndex="1" drawLabels="1"/>
    </settings>
  </labeling>
</qgis>
