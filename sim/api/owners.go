package api

import "math/rand/v2"

// NewControllerRef returns the owner reference a controller puts on the
// objects it creates: kind, name and UID of owner, Controller and
// BlockOwnerDeletion set, as upstream's metav1.NewControllerRef.
func NewControllerRef(owner Object) OwnerReference {
	m := owner.GetMeta()
	return OwnerReference{Kind: owner.GetKind(), Name: m.Name, UID: m.UID, Controller: true, BlockOwnerDeletion: true}
}

// WithoutOwner returns a new slice of refs without the ones to uid.
func WithoutOwner(refs []OwnerReference, uid UID) []OwnerReference {
	out := make([]OwnerReference, 0, len(refs))
	for _, r := range refs {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	return out
}

// safeAlphabet is upstream's alphabet for generated names and hashes
// (rand.SafeEncodeString): no vowels, no look-alike characters.
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// maxGeneratedPrefix is how much of a generateName prefix upstream keeps: a
// 63-character name less the 5 random characters.
const maxGeneratedPrefix = 58

// GenerateName returns base (cut to 58 characters) followed by five random
// characters drawn from r, as the API server completes metadata.generateName
// ("web-" → "web-x7k2p").
func GenerateName(r *rand.Rand, base string) string {
	if len(base) > maxGeneratedPrefix {
		base = base[:maxGeneratedPrefix]
	}
	b := make([]byte, len(base)+5)
	copy(b, base)
	for i := len(base); i < len(b); i++ {
		b[i] = safeAlphabet[r.IntN(len(safeAlphabet))]
	}
	return string(b)
}
