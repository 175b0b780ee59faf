package bridge

func (o *owners) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lru.Len()
}
