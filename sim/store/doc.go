// Package store is kubesim's API server: typed tables of objects with
// resourceVersions, label-selector lists, indexes, watches and graceful deletion.
//
// Components never call each other; they read the store, watch it, and write
// back, exactly as kube-scheduler, kube-controller-manager and the kubelet talk
// only through the API server. Every write names the component that made it
// and why, and is reported to the store's write hooks, which is what the
// narrated event log is made of.
//
// Watch events are not delivered inside the write that caused them: each write
// schedules one engine event, at the current virtual time plus the configured
// watch latency, that calls the table's handlers in registration order. A
// handler therefore never re-enters the store call that triggered it, and the
// order of deliveries is the order of writes.
//
// Objects handed out by the store are shared and must be treated as read-only
// (see package api). Lists and index look-ups return fresh slices in a
// deterministic order: creation order, with a deleted object's place taken by
// the most recently created one.
package store
