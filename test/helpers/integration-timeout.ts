// Integration tests wait on real servers and real token lifetimes: give each test two minutes
// (a per-project `testTimeout` is not honoured by jest, so it is set here).
jest.setTimeout(120_000);
// A failed integration test runs once more, its first errors printed; the summary reporter lists
// every test that needed the second attempt, so a flaky test stays visible and can be fixed.
// A test that fails twice fails the run.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
