package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The gate between a vector kernel and its scalar twin: closed until a warm-up, on its own thread
 * and after a delay, has seen the vector probes run compiled (no allocation, or faster than the
 * scalar twin where allocation cannot be counted); given up after a time limit.
 */
class VectorTwinGateTest {

  /**
   * The warm-up runs the vector probes on its own thread, never the caller's, and opens the gate
   * at the first pass over every probe problem that allocates nothing (the probes here allocate
   * until their 300th call, as boxed vectors would until C2 compiles them).
   */
  @Test
  void aGateOpensWhenTheVectorProbesStopAllocating() throws InterruptedException {
    long[] allocated = {0};
    java.util.Set<Integer> problems = ConcurrentHashMap.newKeySet();
    java.util.Set<String> threads = ConcurrentHashMap.newKeySet();
    int[] calls = {0};
    VectorTwinGate gate = new VectorTwinGate("test", 3, probe -> {
      problems.add(probe % 3);
      threads.add(Thread.currentThread().getName());
      if (++calls[0] < 300) {
        allocated[0] += 64;
      }
    }, probe -> { }, () -> allocated[0], 0, 10_000);
    assertFalse(gate.vectorReady(), "the first call starts the warm-up and runs the scalar twin");
    awaitWarmUp(gate);
    assertTrue(gate.isOpen());
    assertTrue(gate.vectorReady());
    assertEquals(Set.of(0, 1, 2), problems, "every probe problem ran");
    assertEquals(Set.of("kiln-vector-warm-up"), threads, "only the warm-up thread probed");
    assertTrue(calls[0] >= 300 && calls[0] < 300 + 2 * (VectorTwinGate.PROBES_PER_CHECK + 3), "calls " + calls[0]);
  }

  @Test
  void aGateWhoseProbesAlwaysAllocateGivesUpAndStaysShut() throws InterruptedException {
    long[] allocated = {0};
    VectorTwinGate gate = new VectorTwinGate("test", 2, probe -> allocated[0] += 16, probe -> { },
        () -> allocated[0], 0, 200);
    long start = System.nanoTime();
    assertFalse(gate.vectorReady());
    awaitWarmUp(gate);
    assertTrue(System.nanoTime() - start >= 200_000_000L, "ran until its time limit");
    assertFalse(gate.isOpen());
    assertFalse(gate.vectorReady(), "a second warm-up is never started");
    assertTrue(gate.warmUpOver());
  }

  /** Without an allocation counter: open after three checks in a row where the vector probes ran faster. */
  @Test
  void withoutAnAllocationCounterAGateTimesTheTwins() throws InterruptedException {
    int[] vectorCalls = {0};
    VectorTwinGate gate = new VectorTwinGate("test", 2, probe -> {
      // Slow for the first 200 calls (interpreted), then free.
      spin(++vectorCalls[0] < 200 ? 100_000 : 0);
    }, probe -> spin(20_000), null, 0, 10_000);
    assertFalse(gate.vectorReady());
    awaitWarmUp(gate);
    assertTrue(gate.isOpen());
    assertTrue(vectorCalls[0] >= 200, "opened only once the vector probes were fast: " + vectorCalls[0]);
  }

  /** Calls in the first moments after the first one (a JVM's start-up) start no warm-up. */
  @Test
  void theWarmUpWaitsForItsDelay() throws InterruptedException {
    AtomicInteger probes = new AtomicInteger();
    VectorTwinGate gate = new VectorTwinGate("test", 1, probe -> probes.incrementAndGet(), probe -> { },
        () -> 0L, 300, 10_000);
    long start = System.nanoTime();
    while (System.nanoTime() - start < 150_000_000L) {
      assertFalse(gate.vectorReady());
    }
    Thread.sleep(50);
    assertEquals(0, probes.get(), "no warm-up within the delay");
    Thread.sleep(200);
    assertFalse(gate.vectorReady(), "this call, past the delay, starts it");
    awaitWarmUp(gate);
    assertTrue(gate.isOpen());
    assertTrue(probes.get() > 0);
  }

  /** A caller's warm-up (ModelCore.warmUp) opens a gate it has used on its own thread, and leaves unused ones alone. */
  @Test
  void aCallersWarmUpOpensOnlyTheGatesItUsed() {
    long[] allocated = {0};
    Set<String> threads = ConcurrentHashMap.newKeySet();
    int[] calls = {0};
    VectorTwinGate used = new VectorTwinGate("used", 1, probe -> {
      threads.add(Thread.currentThread().getName());
      if (++calls[0] < 50) {
        allocated[0] += 8;
      }
    }, probe -> { }, () -> allocated[0], 60_000, 10_000);
    AtomicInteger unusedProbes = new AtomicInteger();
    VectorTwinGate unused = new VectorTwinGate("unused", 1, probe -> unusedProbes.incrementAndGet(), probe -> { },
        () -> 0L, 60_000, 10_000);
    assertFalse(used.vectorReady(), "within its delay: the scalar twin");
    used.warmUpNowIfUsed();
    unused.warmUpNowIfUsed();
    assertTrue(used.isOpen());
    assertTrue(used.vectorReady());
    assertEquals(Set.of(Thread.currentThread().getName()), threads, "warmed on the caller's thread");
    assertFalse(unused.isOpen());
    assertEquals(0, unusedProbes.get());
  }

  private static void awaitWarmUp(VectorTwinGate gate) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!gate.warmUpOver() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertTrue(gate.warmUpOver(), "the warm-up ended");
  }

  private static void spin(long nanos) {
    long start = System.nanoTime();
    while (System.nanoTime() - start < nanos) {
      Thread.onSpinWait();
    }
  }
  /** Two gates due at once are warmed one after the other by one thread, never two at a time. */
  @Test
  void oneThreadWarmsTheGatesInTurn() throws InterruptedException {
    AtomicInteger running = new AtomicInteger();
    List<Integer> overlaps = Collections.synchronizedList(new ArrayList<>());
    Set<String> threads = ConcurrentHashMap.newKeySet();
    long[] allocated = {0};
    VectorTwinGate[] gates = new VectorTwinGate[2];
    for (int g = 0; g < 2; g++) {
      int[] calls = {0};
      gates[g] = new VectorTwinGate("test" + g, 1, probe -> {
        overlaps.add(running.incrementAndGet());
        threads.add(Thread.currentThread().getName());
        spin(20_000);
        if (++calls[0] < 100) {
          allocated[0] += 8;
        }
        running.decrementAndGet();
      }, probe -> { }, () -> allocated[0], 0, 10_000);
    }
    assertFalse(gates[0].vectorReady());
    assertFalse(gates[1].vectorReady());
    awaitWarmUp(gates[0]);
    awaitWarmUp(gates[1]);
    assertTrue(gates[0].isOpen() && gates[1].isOpen());
    assertEquals(Set.of(1), Set.copyOf(overlaps), "never two probes at once");
    assertEquals(Set.of("kiln-vector-warm-up"), threads);
  }
  /**
   * warmUpOnce warms on the caller's thread until the probes stop allocating, once: a second call,
   * or one after another thread's, returns without probing.
   */
  @Test
  void warmUpOnceWarmsOnTheCallersThreadOnlyOnce() {
    long[] allocated = {0};
    int[] calls = {0};
    Set<String> threads = ConcurrentHashMap.newKeySet();
    VectorTwinGate gate = new VectorTwinGate("test", 2, probe -> {
      threads.add(Thread.currentThread().getName());
      if (++calls[0] < 100) {
        allocated[0] += 64;
      }
    }, probe -> { }, () -> allocated[0], -1, 10_000);
    gate.warmUpOnce();
    assertTrue(gate.isOpen());
    assertTrue(gate.warmUpOver());
    assertEquals(Set.of(Thread.currentThread().getName()), threads, "the caller probed");
    int afterFirst = calls[0];
    assertTrue(afterFirst >= 100, "probed until the probes stopped allocating: " + afterFirst);
    gate.warmUpOnce();
    assertEquals(afterFirst, calls[0], "a second call probes nothing");
  }

  /** A gate whose probes never stop allocating gives up at its limit and is not warmed again. */
  @Test
  void warmUpOnceGivesUpOnce() {
    long[] allocated = {0};
    int[] calls = {0};
    VectorTwinGate gate = new VectorTwinGate("test", 2, probe -> {
      calls[0]++;
      allocated[0] += 16;
    }, probe -> { }, () -> allocated[0], -1, 100);
    gate.warmUpOnce();
    assertFalse(gate.isOpen());
    assertTrue(gate.warmUpOver());
    int afterFirst = calls[0];
    gate.warmUpOnce();
    assertEquals(afterFirst, calls[0], "no second warm-up");
  }
}
