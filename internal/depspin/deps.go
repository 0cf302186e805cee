package depspin
import (
 _ "k8s.io/api/core/v1"
 _ "k8s.io/apimachinery/pkg/api/resource"
 _ "k8s.io/kube-scheduler/config/v1"
 _ "github.com/spf13/cobra"
 _ "github.com/spf13/viper"
 _ "github.com/olekukonko/tablewriter"
 _ "gonum.org/v1/gonum/stat"
 _ "gopkg.in/yaml.v3"
 _ "sigs.k8s.io/yaml"
 _ "sigs.k8s.io/json"
 _ "k8s.io/api/apps/v1"
 _ "k8s.io/api/batch/v1"
 _ "k8s.io/api/policy/v1"
 _ "k8s.io/api/scheduling/v1"
 _ "k8s.io/apimachinery/pkg/runtime/serializer"
 _ "gonum.org/v1/gonum/stat/distuv"
)

