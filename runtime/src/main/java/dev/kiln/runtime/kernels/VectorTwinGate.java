package dev.kiln.runtime.kernels;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Whether a vector kernel may stand in for its scalar twin yet. The twins give the same bits, so
 * the choice is one of speed only, and the answer changes as the JIT works: until C2 has compiled
 * a Vector API kernel, the interpreter and C1 run every vector operation boxed, tens of times
 * slower than the scalar twin. Iris's first fit took 0.51-0.59 s instead of 0.31 with its products
 * vectorized from the first call, 0.8 s with its softmax, while every later fit gained.
 *
 * <p>So callers run the scalar twin while the gate is shut. {@code ModelCore.warmUp} opens it: for
 * every gate its passes used, it runs the vector twin on small fixed problems until C2 has
 * compiled it, then opens the gate for good ({@link #warmUpNowIfUsed}). "Compiled" is read from
 * allocation: boxed vectors allocate, C2's intrinsics do not, so a pass over every probe problem
 * that allocates nothing ran compiled code. Where the JVM cannot count a thread's allocation,
 * three passes in a row that beat the scalar twin open the gate. A JVM where the vector twin
 * never compiles (no C2) keeps the scalar twin: a warm-up gives up after
 * {@value #MAX_WARM_UP_MILLIS} ms.
 *
 * <p>{@code -Dkiln.vectorWarmUp=background} also warms used gates without being asked: a daemon
 * thread ({@code kiln-vector-warm-up}, one for all gates, one after another) starts on a call two
 * seconds or more after a gate's first. Measured on Iris that way: 12.4 ms a fit in steady state
 * against 18.4. It is not the default: in one clean-clone CI run of two, a kernel of another
 * network (the 64 x 10 softmax's exponentials, in {@code AllocationTest}'s JVM) ran boxed for the
 * rest of that JVM, and whether boxed vector code running on a second thread while C2 compiles the
 * first thread's kernels can cause that (as profiles polluted at start-up did, see
 * {@link VectorGemm#EXACT}) is not settled. {@code -Dkiln.vectorWarmUp=false} keeps every gate
 * shut, warmUp included.
 */
final class VectorTwinGate {
  /**
   * With {@code -Dkiln.vectorWarmUp=background}: the JVM's own start-up (class loading, the compile
   * queue) should be over before a warm-up adds its load, which is a second core's work for
   * 0.25-0.5 s plus C2's compiles. Started at a fit's
   * first call, on two cores, it cost Iris's first fit 0.3 s (0.56-0.65 s against 0.26-0.28) while
   * the caller ran nothing but the scalar twin; started a second in, the fits running beside it
   * took up to twice as long (17 -> 30-42 ms) for those 0.3 s, which were still the benchmark's
   * "warm" runs 6-15.
   */
  static final long WARM_UP_DELAY_MILLIS = 2_000;
  static final long MAX_WARM_UP_MILLIS = 5_000;
  /** Probe problems between checks: a check costs two reads of the allocation counter. */
  static final int PROBES_PER_CHECK = 16;
  static final int FASTER_CHECKS_TO_OPEN = 3;
  /** {@code -Dkiln.vectorWarmUp}: {@code false} keeps every gate shut; {@code background} adds the thread. */
  private static final String WARM_UP_SETTING = System.getProperty("kiln.vectorWarmUp", "");
  private static final boolean WARM_UP = !"false".equals(WARM_UP_SETTING);
  private static final boolean BACKGROUND = "background".equals(WARM_UP_SETTING);

  private final String name;
  private final IntConsumer vectorProbe;
  private final IntConsumer scalarProbe;
  private final int problems;
  /** Null in production: the warm-up thread looks the JVM's counter up (management classes load there). */
  private final LongSupplier allocatedBytes;
  private final boolean jvmCounter;
  private final long maxWarmUpNanos;
  private final long warmUpDelayNanos;
  private final AtomicBoolean warmUpStarted = new AtomicBoolean();
  /** Whether a caller has asked, and when it first did (racy: set once in practice). */
  private boolean used;
  private long firstCallNanos;
  private volatile boolean open;
  private volatile boolean warmUpOver;

  /**
   * A gate whose probes run one twin on problem {@code probe % problems}: together the problems
   * must take every path the callers take, so that C2 compiles them all.
   */
  VectorTwinGate(String name, int problems, IntConsumer vectorProbe, IntConsumer scalarProbe) {
    this(name, problems, vectorProbe, scalarProbe, null, true, BACKGROUND ? WARM_UP_DELAY_MILLIS : -1,
        MAX_WARM_UP_MILLIS);
  }

  /**
   * With the allocation counter (null: none, time the twins), the delay before the background
   * warm-up (negative: none) and the warm-up's time limit given: for tests.
   */
  VectorTwinGate(String name, int problems, IntConsumer vectorProbe, IntConsumer scalarProbe,
      LongSupplier allocatedBytes, long warmUpDelayMillis, long maxWarmUpMillis) {
    this(name, problems, vectorProbe, scalarProbe, allocatedBytes, false, warmUpDelayMillis, maxWarmUpMillis);
  }

  private VectorTwinGate(String name, int problems, IntConsumer vectorProbe, IntConsumer scalarProbe,
      LongSupplier allocatedBytes, boolean jvmCounter, long warmUpDelayMillis, long maxWarmUpMillis) {
    this.name = name;
    this.warmUpDelayNanos = warmUpDelayMillis * 1_000_000L;
    this.jvmCounter = jvmCounter;
    this.problems = problems;
    this.vectorProbe = vectorProbe;
    this.scalarProbe = scalarProbe;
    this.allocatedBytes = allocatedBytes;
    this.maxWarmUpNanos = maxWarmUpMillis * 1_000_000L;
  }

  /**
   * Whether the caller should run the vector twin. The first call marks the gate used; with the
   * background warm-up on, a call {@link #WARM_UP_DELAY_MILLIS} ms or more after it starts one.
   */
  boolean vectorReady() {
    if (open) {
      return true;
    }
    if (!used) {
      used = true; // ModelCore.warmUp warms it
      firstCallNanos = System.nanoTime();
    }
    // The clock is read per call only while a background warm-up is still to start.
    if (warmUpDelayNanos >= 0 && WARM_UP && !warmUpStarted.get()
        && System.nanoTime() - firstCallNanos >= warmUpDelayNanos && warmUpStarted.compareAndSet(false, true)) {
      PENDING.add(this);
      startWarmUpThread();
    }
    return false;
  }

  /**
   * Warms the vector code up on this thread now, once per JVM (a call that finds the warm-up done,
   * running on another thread, or switched off by {@code -Dkiln.vectorWarmUp=false} returns at
   * once): for kernels that run vector code either way and only gain by being compiled sooner,
   * such as the GEMM micro-kernels before a large product ({@link VectorGemm#MICRO_KERNELS}).
   */
  void warmUpOnce() {
    if (!open && WARM_UP && warmUpStarted.compareAndSet(false, true)) {
      used = true;
      warmUp();
    }
  }

  /** Gates waiting for the warm-up thread; one thread warms them one after the other. */
  private static final ConcurrentLinkedQueue<VectorTwinGate> PENDING = new ConcurrentLinkedQueue<>();
  private static final AtomicBoolean WARM_UP_RUNNING = new AtomicBoolean();

  private static void startWarmUpThread() {
    if (WARM_UP_RUNNING.compareAndSet(false, true)) {
      Thread thread = new Thread(VectorTwinGate::warmUpPending, "kiln-vector-warm-up");
      thread.setDaemon(true);
      thread.setPriority(Thread.MIN_PRIORITY);
      thread.start();
    }
  }

  /** Warms every pending gate; a gate added after the queue looked empty starts a new thread. */
  private static void warmUpPending() {
    while (true) {
      VectorTwinGate gate = PENDING.poll();
      if (gate != null) {
        gate.warmUp();
        continue;
      }
      WARM_UP_RUNNING.set(false);
      if (PENDING.isEmpty() || !WARM_UP_RUNNING.compareAndSet(false, true)) {
        return;
      }
    }
  }

  boolean isOpen() {
    return open;
  }

  /** Whether a warm-up has ended, by opening the gate or by giving up. */
  boolean warmUpOver() {
    return warmUpOver;
  }

  @Override
  public String toString() {
    return "VectorTwinGate[" + name + (open ? ", open]" : ", closed]");
  }

  /** Opens the gate now (tests and benchmarks that want the vector twin from the first call). */
  void openNow() {
    open = true;
  }

  /**
   * If a caller has asked this gate and it is still shut, warms the vector twin up on this thread
   * now and returns when the gate is open or the warm-up has given up ({@code ModelCore.warmUp}).
   * Unused gates cost nothing; {@code -Dkiln.vectorWarmUp=false} leaves every gate shut.
   */
  void warmUpNowIfUsed() {
    if (!open && used && WARM_UP) {
      warmUpStarted.set(true); // no thread for this gate later; one already running is harmless
      warmUp();
    }
  }

  /** Runs (on the warm-up thread, or a caller of {@link #warmUpNowIfUsed}) until the vector twin runs compiled or time is up. */
  void warmUp() {
    try {
      long deadline = System.nanoTime() + maxWarmUpNanos;
      LongSupplier allocatedBytes = jvmCounter ? currentThreadAllocation() : this.allocatedBytes;
      int fasterChecks = 0;
      while (!open && System.nanoTime() - deadline < 0) {
        for (int probe = 0; probe < PROBES_PER_CHECK; probe++) {
          vectorProbe.accept(probe);
        }
        if (allocatedBytes != null) {
          long before = allocatedBytes.getAsLong();
          for (int problem = 0; problem < problems; problem++) {
            vectorProbe.accept(problem);
          }
          if (allocatedBytes.getAsLong() == before) {
            open = true;
          }
        } else {
          fasterChecks = vectorFaster() ? fasterChecks + 1 : 0;
          if (fasterChecks >= FASTER_CHECKS_TO_OPEN) {
            open = true;
          }
        }
      }
    } finally {
      warmUpOver = true;
    }
  }

  private boolean vectorFaster() {
    long start = System.nanoTime();
    for (int problem = 0; problem < problems; problem++) {
      vectorProbe.accept(problem);
    }
    long vectorDone = System.nanoTime();
    for (int problem = 0; problem < problems; problem++) {
      scalarProbe.accept(problem);
    }
    return vectorDone - start < System.nanoTime() - vectorDone;
  }

  /** The JVM's count of bytes this thread has allocated, or null where it has none. */
  private static LongSupplier currentThreadAllocation() {
    try {
      if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
          && threads.isThreadAllocatedMemorySupported()) {
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads::getCurrentThreadAllocatedBytes;
      }
    } catch (RuntimeException | LinkageError e) {
      // No management module, or a JVM without the counter: time the twins instead.
    }
    return null;
  }
}
