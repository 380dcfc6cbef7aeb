"""The only bridge between QGIS and the pure core: layers <-> arrays, fields, styles, logging."""
