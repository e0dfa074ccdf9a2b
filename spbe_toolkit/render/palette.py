"""Colours shared by the matplotlib charts (:mod:`.plots`) and the memo's SVG chart
(:mod:`.memo.chart`), in a module of their own so the memo path never imports matplotlib."""

SERIES_COLOURS = {"self": "#9e9e9e", "final": "#1f5fa6", "peer": "#e08a2c"}
