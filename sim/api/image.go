package api

import "strings"

// NormalizeImage returns the canonical form of an image reference as a
// container runtime resolves it, "registry/path:tag" or
// "registry/path[:tag]@digest":
//   - ":latest" is added when the reference has neither tag nor digest;
//   - a reference without a registry (its first path component contains no
//     "." or ":" and is not "localhost") is on docker.io, and index.docker.io
//     is the same registry;
//   - a single-component docker.io path is under "library/".
//
// So "nginx", "nginx:latest", "library/nginx" and
// "docker.io/library/nginx:latest" are one image, as the kubelet and its
// runtime see them (image cache, pulls).
//
// The scheduler's ImageLocality plugin does not use this: upstream
// kube-scheduler compares names literally, only appending ":latest" to the
// pod's untagged images, so there "nginx:1.25" and
// "docker.io/library/nginx:1.25" are different images.
func NormalizeImage(name string) string {
	rest, digest := name, ""
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, digest = rest[:i], rest[i:]
	}
	tag := ""
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		rest, tag = rest[:i], rest[i:]
	}
	if tag == "" && digest == "" {
		tag = ":latest"
	}
	domain, path := "", rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		if first := rest[:i]; strings.ContainsAny(first, ".:") || first == "localhost" {
			domain, path = first, rest[i+1:]
		}
	}
	if domain == "" || domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	return domain + "/" + path + tag + digest
}
