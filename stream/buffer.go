package stream

import (
	"errors"
	"io"
	"sync"
)

// The sizes of a buffer. A bridge holds one per open stream, most of them
// idle for long stretches: waiting, a buffer holds smallBuf, a few typical
// events. While events come faster than they are decoded, it holds
// largeBuf, so that one read takes in a burst of them (and Ready sees them
// buffered: a writer flushes them together). smallBuf is 2 KiB rather than
// 1: the first read after a pause often finds more than 1 KiB waiting, and
// a read cut short costs the client one write more (bench, one client:
// 8.6 -> 9.4 writes per stream request at 1 KiB, 8.7 at 2 KiB).
const (
	smallBuf = 2 << 10
	largeBuf = 4 << 10
)

// largeBufs are the large buffers not in use, shared by all decoders.
var largeBufs = sync.Pool{New: func() any { b := make([]byte, largeBuf); return &b }}

// errBufferFull is returned by fill when the buffer holds largeBuf bytes.
var errBufferFull = errors.New("stream: buffer full")

// buffer reads ahead of the decoder, like a bufio.Reader whose buffer
// follows the pace of the stream. It starts large, for the burst of events
// that starts most streams; it goes small once all it read is consumed and
// the last read did not fill it (the stream now waits), and large again
// when a read fills it (more is likely waiting) or a line does not fit.
type buffer struct {
	rd    io.Reader
	buf   []byte  // small, or *large
	small []byte  // made on first use, then kept
	large *[]byte // from largeBufs, while in use
	r, w  int     // buf[r:w] is read and not yet consumed
	err   error   // the reader's error, returned by the next fill
	burst bool    // the last read filled buf
	gen   uint64  // counts the changes to buf[r:w] (discard, fill)
}

func newBuffer(rd io.Reader) buffer { return buffer{rd: rd} }

// buffered returns the bytes read and not yet consumed, valid until the
// next fill.
func (b *buffer) buffered() []byte { return b.buf[b.r:b.w] }

// discard consumes the first n buffered bytes.
func (b *buffer) discard(n int) { b.r += n; b.gen++ }

// fill reads once into the buffer, after the bytes it holds (which may
// move). It returns errBufferFull when the buffer is full at its largest,
// and the reader's error once the reader has no more to give.
func (b *buffer) fill() error {
	b.gen++
	n := b.w - b.r
	switch {
	case n == largeBuf:
		return errBufferFull
	case b.err != nil:
		return b.err
	case b.large == nil && (b.burst || n == len(b.buf)):
		p := largeBufs.Get().(*[]byte)
		copy(*p, b.buf[b.r:b.w])
		b.buf, b.large = *p, p
	case b.large != nil && n == 0 && !b.burst:
		largeBufs.Put(b.large)
		if b.small == nil {
			b.small = make([]byte, smallBuf)
		}
		b.buf, b.large = b.small, nil
	default:
		copy(b.buf, b.buf[b.r:b.w])
	}
	b.r, b.w = 0, n
	for range 100 { // as bufio does, give up on a reader that keeps returning nothing
		m, err := b.rd.Read(b.buf[b.w:])
		b.w += m
		b.burst = b.w == len(b.buf)
		if err != nil {
			b.err = err
			if m == 0 {
				return err
			}
		}
		if m > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}
