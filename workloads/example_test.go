package workloads_test

import (
	"fmt"

	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/workloads"
)

func ExampleDecode() {
	manifest := []byte(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        kubesim.io/run-duration: 2h
    spec:
      containers:
      - name: web
        image: nginx:1.25.3
        resources:
          limits: {cpu: 250m, memory: 128Mi}
`)
	objs, err := workloads.Decode("web.yaml", manifest)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := objs[0].(*api.Deployment)
	s := d.Template.Spec
	fmt.Println(d.Key(), "replicas", d.Replicas, d.Strategy.Type)
	fmt.Println("requests:", s.Requests.MilliCPU, "millicores,", s.Requests.Memory, "bytes")
	fmt.Println("runs for", s.RunDuration)

	_, err = workloads.Decode("web.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, resources: {requests: {cpu: lots}}}]\n"))
	fmt.Println(err)
	// Output:
	// default/web replicas 1 RollingUpdate
	// requests: 250 millicores, 134217728 bytes
	// runs for 2h0m0s
	// web.yaml: document 1 (Pod default/p): spec.containers[0].resources.requests.cpu: invalid quantity "lots"
}
