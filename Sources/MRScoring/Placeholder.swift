// MRScoring
