package dev.kiln.runtime.kernels;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses the kernel implementations once per JVM, and lets tests and benchmarks pick one.
 *
 * <p>Why reflection: {@code jdk.incubator.vector} is an incubator module, absent from the module
 * graph unless the JVM was started with {@code --add-modules jdk.incubator.vector}. Linking
 * {@code VectorGemm} or {@code VectorElementwise} without it would fail, so this class never
 * names them in code: it checks the boot layer first and only then instantiates the classes by
 * name. Users who did not add the module get the scalar kernels and a single notice telling them
 * how to enable SIMD (as Lucene's {@code VectorizationProvider} does), logged at INFO through
 * {@link System.Logger} {@value #LOGGER} once per JVM, not once per interface.
 *
 * <p>System properties:
 * <ul>
 *   <li>{@code kiln.simd=false}: always use the scalar kernels.</li>
 *   <li>{@code kiln.simd.quiet=true}: do not log the notice about the missing module.</li>
 * </ul>
 *
 * <p>Explicit choice: {@link #scalarGemm()}, {@link #vectorGemm()}, {@link #scalarElementwise()}
 * and {@link #vectorElementwise()}; {@link Gemm#ACTIVE} and {@link Elementwise#ACTIVE} are the
 * automatic ones.
 */
public final class KernelSelector {

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String VECTOR_GEMM_CLASS = "dev.kiln.runtime.kernels.VectorGemm";
  static final String VECTOR_ELEMENTWISE_CLASS = "dev.kiln.runtime.kernels.VectorElementwise";
  static final String MODULE_MISSING_MESSAGE =
      "[kiln] SIMD kernels off: jdk.incubator.vector is not in the module graph; run java with "
          + "--add-modules jdk.incubator.vector for vectorized kernels "
          + "(set -Dkiln.simd.quiet=true to hide this line)";

  /** The logger notices go to. */
  static final String LOGGER = "dev.kiln.runtime.kernels";

  /** Whether this JVM has already said why it runs without SIMD. */
  private static final AtomicBoolean REPORTED = new AtomicBoolean();

  private KernelSelector() {}

  /** The plain-Java products, single-threaded; always available. */
  public static Gemm scalarGemm() {
    return new ScalarGemm();
  }

  /** The plain-Java element-wise kernels; always available. */
  public static Elementwise scalarElementwise() {
    return new ScalarElementwise();
  }

  /**
   * The Vector API products, single-threaded.
   *
   * @throws IllegalStateException if {@code jdk.incubator.vector} is not in the module graph or
   *     the kernels cannot start on this JVM
   */
  public static Gemm vectorGemm() {
    return vector(VECTOR_GEMM_CLASS, Gemm.class);
  }

  /**
   * The Vector API element-wise kernels.
   *
   * @throws IllegalStateException if {@code jdk.incubator.vector} is not in the module graph or
   *     the kernels cannot start on this JVM
   */
  public static Elementwise vectorElementwise() {
    return vector(VECTOR_ELEMENTWISE_CLASS, Elementwise.class);
  }

  /** Whether {@code jdk.incubator.vector} is in the boot module layer of this JVM. */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /** The automatic choice behind {@link Gemm#ACTIVE}; see the class comment. */
  static Gemm selectGemm() {
    return withThreads(select(VECTOR_GEMM_CLASS, Gemm.class, new ScalarGemm()));
  }

  /** The automatic choice behind {@link Elementwise#ACTIVE}; see the class comment. */
  static Elementwise selectElementwise() {
    return select(VECTOR_ELEMENTWISE_CLASS, Elementwise.class, new ScalarElementwise());
  }

  /**
   * Adds the worker pool for large products when this machine has more than one processor (or
   * {@code kiln.threads} asks for more); {@link Parallelism#setThreads} then chooses, per call,
   * how many of them to use.
   */
  static Gemm withThreads(Gemm gemm) {
    WorkerPool pool = WorkerPool.shared();
    return pool == null ? gemm : new ThreadedGemm(gemm, pool);
  }

  private static <T> T vector(String className, Class<T> type) {
    if (!vectorModulePresent()) {
      throw new IllegalStateException("Vector API kernels unavailable: " + VECTOR_MODULE
          + " is not in the module graph; start java with --add-modules " + VECTOR_MODULE);
    }
    try {
      return instantiate(className, type);
    } catch (Throwable t) {
      throw new IllegalStateException("Vector API kernels failed to start: " + t, t);
    }
  }

  private static <T> T select(String className, Class<T> type, T scalar) {
    if ("false".equalsIgnoreCase(System.getProperty("kiln.simd"))) {
      return scalar;
    }
    if (!vectorModulePresent()) {
      report(MODULE_MISSING_MESSAGE);
      return scalar;
    }
    try {
      return instantiate(className, type);
    } catch (Throwable t) {
      report("[kiln] SIMD kernels off: the Vector API kernels failed to start (" + t
          + "); using scalar kernels");
      return scalar;
    }
  }

  /**
   * Logs the one notice about running without SIMD (level INFO, logger {@code
   * dev.kiln.runtime.kernels}, through {@link System.Logger}: the JDK's logging prints it on stderr
   * unless configured otherwise), unless quiet or already logged.
   */
  private static void report(String line) {
    if (!Boolean.getBoolean("kiln.simd.quiet") && REPORTED.compareAndSet(false, true)) {
      System.getLogger(LOGGER).log(System.Logger.Level.INFO, line);
    }
  }

  private static <T> T instantiate(String className, Class<T> type)
      throws ReflectiveOperationException {
    return type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
  }
}
