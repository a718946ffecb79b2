package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ParallelRanges}: every element exactly once, in aligned parts, on as many threads as allowed. */
class ParallelRangesTest {
  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(threadsBefore);
  }

  @Test
  void everyElementIsVisitedOnceForAnyThreadCount() {
    for (int threads = 1; threads <= 4; threads++) {
      Parallelism.setThreads(threads);
      for (int[] range : new int[][] {{0, 100_000}, {7, 65_543}, {3, 3}, {10, 40}, {1, 1 << 17}}) {
        int from = range[0];
        int to = range[1];
        AtomicIntegerArray visits = new AtomicIntegerArray(to + 1);
        ParallelRanges.run(from, to, 1000, (start, end) -> {
          assertTrue(from <= start && start < end && end <= to, "part [" + start + ", " + end + ")");
          assertTrue((start - from) % ParallelRanges.ALIGNMENT == 0, "aligned start " + start);
          for (int i = start; i < end; i++) {
            visits.incrementAndGet(i);
          }
        });
        for (int i = 0; i <= to; i++) {
          assertEquals(i >= from && i < to ? 1 : 0, visits.get(i), "element " + i + " with " + threads + " threads");
        }
      }
    }
  }

  @Test
  void aCallSplitsIntoNoMorePartsThanAskedOrThanMaxParts() {
    for (int threads = 1; threads <= 4; threads++) {
      Parallelism.setThreads(threads);
      assertTrue(ParallelRanges.maxParts() >= 1 && ParallelRanges.maxParts() <= threads, "maxParts " + ParallelRanges.maxParts());
      for (int maxParts = 1; maxParts <= 3; maxParts++) {
        java.util.concurrent.atomic.AtomicInteger parts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong visited = new java.util.concurrent.atomic.AtomicLong();
        ParallelRanges.run(0, 1 << 17, 1000, maxParts, (start, end) -> {
          parts.incrementAndGet();
          visited.addAndGet(end - start);
        });
        assertTrue(parts.get() <= Math.min(maxParts, ParallelRanges.maxParts()), parts + " parts with " + threads + " threads, at most " + maxParts);
        assertEquals(1 << 17, visited.get());
      }
    }
  }

  /**
   * A part that itself asks to split (a batch load inside an evaluation's part) runs its inner work
   * alone, and the outer call's other parts still run: the inner call must not overwrite the split
   * the workers are about to read.
   */
  @Test
  void aNestedSplitLeavesTheOuterPartsIntact() {
    Parallelism.setThreads(2);
    for (int round = 0; round < 200; round++) {
      AtomicIntegerArray visits = new AtomicIntegerArray(1 << 16);
      ParallelRanges.run(0, 1 << 16, 1000, (start, end) -> {
        ParallelRanges.run(0, 50_000, 1000, (a, b) -> { }); // nested: runs on this thread
        for (int i = start; i < end; i++) {
          visits.incrementAndGet(i);
        }
      });
      for (int i = 0; i < visits.length(); i++) {
        assertEquals(1, visits.get(i), "element " + i + " in round " + round);
      }
    }
  }

  @Test
  void partsRunOnOtherThreadsWhenThePoolHasWorkers() {
    org.junit.jupiter.api.Assumptions.assumeTrue(WorkerPool.shared() != null, "one processor: no pool");
    Parallelism.setThreads(2);
    java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ParallelRanges.run(0, 1 << 16, 1000, (start, end) -> threads.add(Thread.currentThread()));
    assertEquals(2, threads.size(), "the caller and one worker");
    Parallelism.setThreads(1);
    threads.clear();
    ParallelRanges.run(0, 1 << 16, 1000, (start, end) -> threads.add(Thread.currentThread()));
    assertEquals(java.util.Set.of(Thread.currentThread()), threads);
  }
}
