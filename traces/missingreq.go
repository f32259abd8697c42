package traces

// missingRequest counts a task that has no usable request and returns the
// Options.MissingRequest policy that applies to it: the caller drops the job on
// "drop-job" (counted here as a dropped job), skips the task on "drop-task" and
// keeps it otherwise.
func missingRequest(b *builder) string {
	b.count("tasks_missing_request", 1)
	if b.opt.MissingRequest == "drop-job" {
		b.count("jobs_dropped_missing_request", 1)
	}
	return b.opt.MissingRequest
}
