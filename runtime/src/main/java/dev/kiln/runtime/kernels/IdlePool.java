package dev.kiln.runtime.kernels;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Objects kept for reuse by whichever thread needs one next, lock-free: serving's programs and the
 * products' packing buffers. A thread that finds none idle makes its own; one given back to a full
 * pool is left to the garbage collector. Not a {@code ThreadLocal}: that keeps one per thread, so a
 * virtual thread per request would make a new one on every request. Searches start at a slot
 * chosen by thread, so a thread tends to get back what it gave. Internal to Kiln's runtime.
 */
public final class IdlePool<T> {
  /** Null slots are free; taking empties a slot, giving back fills an empty one. */
  private final AtomicReferenceArray<T> slots;

  /** A pool that keeps at most {@code size} idle objects. */
  public IdlePool(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("an idle pool needs at least one slot, not " + size);
    }
    slots = new AtomicReferenceArray<>(size);
  }

  /** Most idle objects kept. */
  public int size() {
    return slots.length();
  }

  /**
   * An idle object, or null. Two passes over the slots: one given back into a slot the first pass
   * had already looked at is found by the second, so that a caller does not make a new one while
   * one lies idle (ServingTest counted one extra program in a JDK 25 run of 20,000 virtual-thread
   * calls on two carriers).
   */
  public T take() {
    int size = slots.length();
    int start = firstSlot(size);
    for (int i = 0; i < 2 * size; i++) {
      int slot = (start + i) % size;
      if (slots.get(slot) != null) {
        T idle = slots.getAndSet(slot, null);
        if (idle != null) {
          return idle;
        }
      }
    }
    return null;
  }

  /** Keeps {@code item} for a later {@link #take}, unless every slot is taken. */
  public void giveBack(T item) {
    int size = slots.length();
    int start = firstSlot(size);
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % size;
      if (slots.get(slot) == null && slots.compareAndSet(slot, null, item)) {
        return;
      }
    }
    // Full: more callers overlapped than the pool keeps; this one goes to the garbage collector.
  }

  private static int firstSlot(int size) {
    return (int) (Thread.currentThread().getId() % size);
  }
}
