package api

import (
	"fmt"
	"testing"
)

func TestNormalizeImage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nginx", "docker.io/library/nginx:latest"},
		{"nginx:latest", "docker.io/library/nginx:latest"},
		{"library/nginx", "docker.io/library/nginx:latest"},
		{"nginx:1.25", "docker.io/library/nginx:1.25"},
		{"docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25"},
		{"index.docker.io/library/nginx", "docker.io/library/nginx:latest"},
		{"docker.io/nginx:1.25", "docker.io/library/nginx:1.25"},
		{"bitnami/redis:7", "docker.io/bitnami/redis:7"},
		{"registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"},
		{"localhost:5000/app", "localhost:5000/app:latest"},
		{"localhost/app:v1", "localhost/app:v1"},
		{"quay.io/org/img@sha256:abc", "quay.io/org/img@sha256:abc"},
		{"nginx:1.25@sha256:abc", "docker.io/library/nginx:1.25@sha256:abc"},
		{"nginx@sha256:abc", "docker.io/library/nginx@sha256:abc"},
		{"my.registry:443/team/svc/api:2024", "my.registry:443/team/svc/api:2024"},
		{"my.registry:443/team/svc/api", "my.registry:443/team/svc/api:latest"},
	}
	for _, tt := range tests {
		if got := NormalizeImage(tt.in); got != tt.want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Normalising is idempotent.
		if got := NormalizeImage(tt.want); got != tt.want {
			t.Errorf("NormalizeImage(%q) = %q, not a fixed point", tt.want, got)
		}
	}
}

func ExampleNormalizeImage() {
	fmt.Println(NormalizeImage("nginx:1.25.3"))
	fmt.Println(NormalizeImage("docker.io/library/nginx:1.25.3"))
	fmt.Println(NormalizeImage("ghcr.io/acme/worker"))
	// Output:
	// docker.io/library/nginx:1.25.3
	// docker.io/library/nginx:1.25.3
	// ghcr.io/acme/worker:latest
}
