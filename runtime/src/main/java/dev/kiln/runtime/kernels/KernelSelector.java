package dev.kiln.runtime.kernels;

/**
 * Chooses the kernel implementation once per JVM, and lets tests and benchmarks pick one.
 *
 * <p>Why reflection: {@code jdk.incubator.vector} is an incubator module, absent from the module
 * graph unless the JVM was started with {@code --add-modules jdk.incubator.vector}. Linking
 * {@code VectorKernels} without it would fail, so this class never names it in code: it checks
 * the boot layer first and only then instantiates the class by name. Users who did not add the
 * module get the scalar kernels and a single line on standard error telling them how to enable
 * SIMD (as Lucene's {@code VectorizationProvider} does).
 *
 * <p>System properties:
 * <ul>
 *   <li>{@code kiln.simd=false}: always use the scalar kernels.</li>
 *   <li>{@code kiln.simd.quiet=true}: do not print the line about the missing module.</li>
 * </ul>
 *
 * <p>Explicit choice: {@link #scalar()} and {@link #vector()}; {@link Kernels#ACTIVE} is the
 * automatic one.
 */
public final class KernelSelector {

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String VECTOR_KERNELS_CLASS = "dev.kiln.runtime.kernels.VectorKernels";
  static final String MODULE_MISSING_MESSAGE =
      "[kiln] SIMD kernels off: jdk.incubator.vector is not in the module graph; run java with "
          + "--add-modules jdk.incubator.vector for vectorized kernels "
          + "(set -Dkiln.simd.quiet=true to hide this line)";

  private KernelSelector() {}

  /** The plain-Java kernels; always available. */
  public static Kernels scalar() {
    return new ScalarKernels();
  }

  /**
   * The Vector API kernels.
   *
   * @throws IllegalStateException if {@code jdk.incubator.vector} is not in the module graph or
   *     the kernels cannot start on this JVM
   */
  public static Kernels vector() {
    if (!vectorModulePresent()) {
      throw new IllegalStateException("Vector API kernels unavailable: " + VECTOR_MODULE
          + " is not in the module graph; start java with --add-modules " + VECTOR_MODULE);
    }
    try {
      return instantiateVectorKernels();
    } catch (Throwable t) {
      throw new IllegalStateException("Vector API kernels failed to start: " + t, t);
    }
  }

  /** Whether {@code jdk.incubator.vector} is in the boot module layer of this JVM. */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /** The automatic choice behind {@link Kernels#ACTIVE}; see the class comment. */
  static Kernels select() {
    return withThreads(selectSingleThreaded());
  }

  /**
   * Adds the worker pool for large products when this machine has more than one processor (or
   * {@code kiln.threads} asks for more); {@link Parallelism#setThreads} then chooses, per call,
   * how many of them to use.
   */
  static Kernels withThreads(Kernels kernels) {
    int workers = Math.max(Runtime.getRuntime().availableProcessors(), Parallelism.threads()) - 1;
    return workers < 1 ? kernels : new ThreadedKernels(kernels, new WorkerPool(workers));
  }

  private static Kernels selectSingleThreaded() {
    if ("false".equalsIgnoreCase(System.getProperty("kiln.simd"))) {
      return new ScalarKernels();
    }
    boolean quiet = Boolean.getBoolean("kiln.simd.quiet");
    if (!vectorModulePresent()) {
      if (!quiet) {
        System.err.println(MODULE_MISSING_MESSAGE);
      }
      return new ScalarKernels();
    }
    try {
      return instantiateVectorKernels();
    } catch (Throwable t) {
      if (!quiet) {
        System.err.println("[kiln] SIMD kernels off: the Vector API kernels failed to start ("
            + t + "); using scalar kernels");
      }
      return new ScalarKernels();
    }
  }

  private static Kernels instantiateVectorKernels() throws ReflectiveOperationException {
    return (Kernels) Class.forName(VECTOR_KERNELS_CLASS).getDeclaredConstructor().newInstance();
  }
}
