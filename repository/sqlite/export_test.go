package sqlite

// LogDeleteChunk exposes logDeleteChunk to the tests.
const LogDeleteChunk = logDeleteChunk
