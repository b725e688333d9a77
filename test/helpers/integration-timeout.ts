// Integration tests wait on real servers and real token lifetimes: give each test two minutes
// (a per-project `testTimeout` is not honoured by jest, so it is set here).
jest.setTimeout(120_000);
