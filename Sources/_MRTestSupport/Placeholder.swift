// _MRTestSupport
