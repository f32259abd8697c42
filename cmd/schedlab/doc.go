// Command schedlab runs cluster-scheduling simulations from the command line.
//
//	schedlab                      compare several schedulers × placers on the built-in workload
//	schedlab run     --scheduler NAME[:k=v,...] --placer NAME[:k=v,...] --workload SPEC
//	                 --cluster SPEC --seed N --horizon DURATION --format table|json --out FILE
//	schedlab list    [--format table|json]
//	schedlab trace   stats|convert|sample --format FORMAT PATH...
//	schedlab bench   --scenario NAME | --spec FILE [--seeds N] [--parallel N] [--shard i/n] --out DIR
//	schedlab bench merge --out DIR DIR...
//	schedlab version
//
// Exit status: 0 success; 2 bad usage or bad input (the message names the flag and
// lists valid names when a name is unknown); 1 a run that failed. A panic is
// reported as "internal error" with exit 1 (set SCHEDLAB_DEBUG=1 for the stack).
//
// `run --format json` prints one JSON object with the stable keys of DESIGN.md;
// everything but wall_seconds and the per-wall-second rates is identical for the
// same inputs and seed.
//
// The trace subcommand lives in trace.go (runTrace).
package main
