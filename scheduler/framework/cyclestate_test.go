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
