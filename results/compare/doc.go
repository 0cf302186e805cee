// Package compare turns the summaries of many runs into statistics: what
// `kubesim compare` and `kubesim sweep` write as compare.csv and compare.json
// and print as a table.
//
// # Metrics
//
// Flatten names every numeric figure of a summary.json document by its dotted
// path: objects add their keys ("scheduling.latency_seconds.p99"), and array
// elements add their identity, so that the same figure has the same name in
// every run whatever the array order: a resource entry its "resource"
// ("resources.cpu.mean_utilization"), a workload "Kind/namespace/name"
// ("workloads.Deployment/default/web.ready"), anything else its index
// ("workloads.Deployment/default/web.rollouts.0.duration_seconds"). Booleans,
// strings and nulls are not figures; "seed" is the run's identity, not a
// figure, and is left out. Names are sorted byte-wise.
//
// # Statistics
//
// For one metric over the n runs of one group (a profile, or a profile in one
// sweep cell) that report it, Describe computes:
//
//   - mean: the arithmetic mean;
//   - sd: the sample standard deviation, with n−1 in the denominator;
//   - the 95 % confidence interval of the mean, by Student's t:
//     half-width h = t(0.975, n−1) · sd / √n, bounds mean − h and mean + h,
//     where t(0.975, n−1) is gonum's distuv.StudentsT{Mu: 0, Sigma: 1,
//     Nu: n−1}.Quantile(0.975) (2.776445 for n = 5);
//   - median: the middle value of the sorted sample, or the mean of the two
//     middle values when n is even;
//   - min and max.
//
// A group's relative difference is (mean − baseline mean) / |baseline mean|,
// where the baseline is another group chosen by the caller (the first
// profile); it is 0 when both means are 0.
//
// Undefined figures are NaN in a Stats and are written as an empty CSV field
// and a JSON null: every figure when n = 0; sd and the interval when n = 1;
// the relative difference when the baseline's mean is 0 (and the group's is
// not), when either group has no value, or when there is no baseline.
//
// # Formats and determinism
//
// Every float is written with exactly six decimals (strconv 'f', 6), as in
// summary.json. Rows are ordered by cell (in the order given), then metric
// name, then profile (in the order given). Nothing depends on map iteration
// order or on the wall clock, so the same summaries give the same bytes.
package compare
