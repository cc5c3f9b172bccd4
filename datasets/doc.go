// Package datasets holds examples and their entity spans as data:
// import/export formats, validation and training requirements, the quality
// score, and built-in data sets shipped with go:embed.
package datasets
