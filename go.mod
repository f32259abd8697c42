module github.com/schedlab/schedlab

go 1.26.8

require (
	github.com/google/btree v1.1.3
	github.com/klauspost/compress v1.20.4
	github.com/leanovate/gopter v0.2.11
	gonum.org/v1/gonum v0.17.0
)
