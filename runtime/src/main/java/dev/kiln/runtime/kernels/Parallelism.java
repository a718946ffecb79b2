package dev.kiln.runtime.kernels;

/**
 * How many threads Kiln's large kernels may use: the system property {@code kiln.threads} or the
 * available processors, changeable at run time. Results do not depend on it: work is split so that
 * every output element is computed by the same operations whatever the thread count.
 */
public final class Parallelism {
  private static volatile int threads = initialThreads();

  private Parallelism() {}

  /** The current thread count (>= 1). */
  public static int threads() {
    return threads;
  }

  /** Sets the thread count for the following kernel calls; 1 keeps all work on the caller's thread. */
  public static void setThreads(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, was " + count);
    }
    threads = count;
  }

  private static int initialThreads() {
    String property = System.getProperty("kiln.threads");
    if (property == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int value = Integer.parseInt(property.trim());
      if (value >= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("-Dkiln.threads must be a whole number >= 1, was \"" + property + "\"");
  }
}
