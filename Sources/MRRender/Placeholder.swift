// MRRender
