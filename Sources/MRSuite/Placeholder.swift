// MRSuite
