package framework

import "testing"

type intData int

func (d intData) Clone() StateData { return d }

func TestCycleState(t *testing.T) {
	c := NewCycleState()
	if _, err := c.Read("a"); err != ErrNotFound {
		t.Fatalf("Read of a missing key: %v", err)
	}
	c.Write("a", intData(1))
	c.Write("b", intData(2))
	c.Write("a", intData(3))
	if d, _ := c.Read("a"); d != intData(3) {
		t.Fatalf("a = %v, want 3", d)
	}
	cl := c.Clone()
	c.Delete("a")
	if _, err := c.Read("a"); err != ErrNotFound {
		t.Fatal("Delete did not remove a")
	}
	if d, _ := c.Read("b"); d != intData(2) {
		t.Fatalf("b = %v after deleting a", d)
	}
	if d, _ := cl.Read("a"); d != intData(3) {
		t.Fatal("clone shares storage with the original")
	}
}

func TestCycleStateSkipSets(t *testing.T) {
	c := NewCycleState()
	for i := range 9 { // past the inline buffer
		c.SkipFilterPlugins = append(c.SkipFilterPlugins, string(rune('a'+i)))
	}
	c.SkipScorePlugins = append(c.SkipScorePlugins, "x")
	if !c.SkipFilterPlugins.Has("a") || !c.SkipFilterPlugins.Has("i") || c.SkipFilterPlugins.Has("x") {
		t.Fatalf("filter skip set %v", c.SkipFilterPlugins)
	}
	if !c.SkipScorePlugins.Has("x") || c.SkipScorePlugins.Has("a") {
		t.Fatalf("score skip set %v", c.SkipScorePlugins)
	}
	cl := c.Clone()
	c.SkipScorePlugins[0] = "y"
	c.SkipFilterPlugins = c.SkipFilterPlugins[:0]
	if !cl.SkipScorePlugins.Has("x") || len(cl.SkipFilterPlugins) != 9 {
		t.Fatalf("clone shares its skip sets: %v %v", cl.SkipFilterPlugins, cl.SkipScorePlugins)
	}
	for i := range 12 { // past the inline entries
		c.Write(StateKey(rune('a'+i)), intData(i))
	}
	if d, _ := c.Read("l"); d != intData(11) {
		t.Fatalf("l = %v, want 11", d)
	}
}

func TestSharedSkipStatus(t *testing.T) {
	a, b := NewStatus(Skip), NewStatus(Skip)
	if !a.IsSkip() || a.Plugin() != "" {
		t.Fatalf("NewStatus(Skip) = %v %q", a.Code(), a.Plugin())
	}
	named := a.WithPlugin("P")
	if named.Plugin() != "P" || !named.IsSkip() {
		t.Fatalf("WithPlugin gave %v %q", named.Code(), named.Plugin())
	}
	if b.Plugin() != "" || NewStatus(Skip).Plugin() != "" {
		t.Fatal("WithPlugin named the shared Skip status")
	}
	if r := NewStatus(Skip, "why"); r == a || r.Message() != "why" {
		t.Fatal("a Skip with reasons is shared")
	}
}
