package api

// CloneObject methods let kind-generic code (the store) copy objects.

// CloneObject returns a shallow copy as an Object.
func (n *Node) CloneObject() Object { return n.Clone() }

// CloneObject returns a shallow copy as an Object.
func (n *Namespace) CloneObject() Object { return n.Clone() }

// CloneObject returns a shallow copy as an Object.
func (p *Pod) CloneObject() Object { return p.Clone() }

// CloneObject returns a shallow copy as an Object.
func (r *ReplicaSet) CloneObject() Object { return r.Clone() }

// CloneObject returns a shallow copy as an Object.
func (d *Deployment) CloneObject() Object { return d.Clone() }

// CloneObject returns a shallow copy as an Object.
func (j *Job) CloneObject() Object { return j.Clone() }

// CloneObject returns a shallow copy as an Object.
func (p *PriorityClass) CloneObject() Object { return p.Clone() }

// CloneObject returns a shallow copy as an Object.
func (p *PodDisruptionBudget) CloneObject() Object { return p.Clone() }

// CloneObject returns a shallow copy as an Object.
func (s *Service) CloneObject() Object { return s.Clone() }
