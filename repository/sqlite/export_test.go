package sqlite

import "github.com/weni-ai/sabia/repository/sqlrow"

// LogDeleteChunk exposes sqlrow.LogDeleteChunk to the tests.
const LogDeleteChunk = sqlrow.LogDeleteChunk
