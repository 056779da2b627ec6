// MRNeural
