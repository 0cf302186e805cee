package kubelet

import (
	"fmt"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
	"github.com/kubesim/kubesim/sim/store"
)

// Manager runs one Kubelet per Node in the store. Create it with NewManager
// and call Start once.
type Manager struct {
	eng *sim.Engine
	st  *store.Store
	cfg Config

	// sizes is Config.Images keyed by canonical image name.
	sizes map[string]int64
	// canon memoises api.NormalizeImage for the image names pods use.
	canon map[string]string
	// specs holds derived information for the specs of admitted pods.
	specs    map[*api.PodSpec]*specInfo
	kubelets map[string]*Kubelet
	// failing holds the canonical names of images whose pulls fail.
	failing map[string]bool
	started bool
}

// NewManager returns a manager of the kubelets of st's nodes, driven by eng.
// It panics if cfg is invalid (see Config.Validate); scenario loaders validate
// first.
func NewManager(eng *sim.Engine, st *store.Store, cfg Config) *Manager {
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("kubelet: NewManager: %v", err))
	}
	if cfg.RestartBackoffInitial > cfg.RestartBackoffMax {
		cfg.RestartBackoffInitial = cfg.RestartBackoffMax
	}
	m := &Manager{eng: eng, st: st, cfg: cfg,
		sizes: make(map[string]int64, len(cfg.Images)), canon: map[string]string{}, specs: map[*api.PodSpec]*specInfo{},
		kubelets: map[string]*Kubelet{}, failing: map[string]bool{}}
	for name, size := range cfg.Images {
		m.sizes[api.NormalizeImage(name)] = size
	}
	for _, name := range cfg.FailingImages {
		m.failing[api.NormalizeImage(name)] = true
	}
	return m
}

// Start starts a kubelet for every Node already in the store (admitting the
// pods already bound to it) and watches Nodes and Pods from then on. Call it
// once, before or while the engine runs.
func (m *Manager) Start() {
	if m.started {
		panic("kubelet: Manager.Start called twice")
	}
	m.started = true
	for _, n := range m.st.Nodes.List("", nil) {
		m.addNode(n)
	}
	m.st.Nodes.Watch(m.onNode)
	m.st.Pods.Watch(m.onPod)
}

// Kubelet returns the kubelet of the named node, if one is running (not
// after Crash or a completed Shutdown, until Recover).
func (m *Manager) Kubelet(node string) (*Kubelet, bool) {
	k, ok := m.kubelets[node]
	if !ok || k.down {
		return nil, false
	}
	return k, true
}

// Config returns the configuration in effect.
func (m *Manager) Config() Config { return m.cfg }

func (m *Manager) onNode(ev store.Event[*api.Node]) {
	switch ev.Type {
	case store.Deleted:
		if k := m.kubelets[ev.Old.Name]; k != nil && k.uid == ev.Old.UID {
			m.removeNode(k)
		}
	default:
		if k := m.kubelets[ev.New.Name]; k == nil || k.uid != ev.New.UID {
			m.addNode(ev.New)
		}
	}
}

func (m *Manager) onPod(ev store.Event[*api.Pod]) {
	p := ev.Object()
	if p.NodeName == "" {
		return
	}
	k := m.kubelets[p.NodeName]
	if k == nil || k.down || k.conn != connected {
		return // nobody there, or it cannot see the change
	}
	if ev.Type == store.Deleted {
		k.podDeleted(p)
		return
	}
	k.syncPod(p)
}

// addNode starts the kubelet of n (replacing one of an earlier node of the
// same name), unless n is no longer the stored node.
func (m *Manager) addNode(n *api.Node) {
	cur, ok := m.st.Nodes.GetKey(n.Name)
	if !ok || cur.UID != n.UID {
		return // stale: a later event reports what happened to it
	}
	if old := m.kubelets[n.Name]; old != nil {
		m.removeNode(old)
	}
	k := newKubelet(m, cur)
	m.kubelets[n.Name] = k
	k.start(cur, false)
}

func (m *Manager) removeNode(k *Kubelet) {
	k.stop()
	delete(m.kubelets, k.name)
}

// imageSize returns the catalogue size of a canonical image name.
func (m *Manager) imageSize(canon string) int64 {
	if s, ok := m.sizes[canon]; ok {
		return s
	}
	return m.cfg.DefaultImageSize
}

// canonical returns api.NormalizeImage(name), memoised.
func (m *Manager) canonical(name string) string {
	if c, ok := m.canon[name]; ok {
		return c
	}
	c := api.NormalizeImage(name)
	m.canon[name] = c
	return c
}
