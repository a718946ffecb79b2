package dev.kiln.runtime.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Calls that C2 does not inline, so that each vector kernel entry is compiled as its own unit.
 *
 * <p>Why: JDK 17's C2 expands every Vector API intrinsic late, after parsing, and only while the
 * method being compiled stays under its node budget. A generated forward pass that inlined its
 * layers' products went past the budget in some JVMs (its log: {@code NodeCountInliningCutoff}),
 * and the vector operations C2 had not expanded yet stayed calls into the Vector API's Java
 * fallback: the 128 x 10 output product allocated a box per operation and Fashion-MNIST's batch-1
 * prediction took 35-85 us instead of 7-9. Whether a JVM did so depended on what ran before (about
 * half of them after training on two threads). {@code unexpanded_vector_calls.py} (samples' test
 * scripts) lists such compilations from a {@code -XX:+LogCompilation} log.
 * Behind a call C2 cannot inline, an entry is compiled with its own budget, whoever calls it.
 *
 * <p>The handle is read from an array: C2 folds a {@code static final} handle to a constant and
 * inlines through it, but not an array element. A call costs a few nanoseconds, against products
 * of 0.1 us and more.
 */
final class CompileUnits {
  private CompileUnits() {}

  /** Handles to {@code owner}'s static methods, in the order of {@code names}, with their types. */
  static MethodHandle[] staticMethods(MethodHandles.Lookup owner, Object... namesAndTypes) {
    MethodHandle[] handles = new MethodHandle[namesAndTypes.length / 2];
    for (int i = 0; i < handles.length; i++) {
      String name = (String) namesAndTypes[2 * i];
      MethodType type = (MethodType) namesAndTypes[2 * i + 1];
      try {
        handles[i] = owner.findStatic(owner.lookupClass(), name, type);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no static " + name + type + " in " + owner.lookupClass().getName(), e);
      }
    }
    return handles;
  }

  /**
   * What a call through a handle threw, for the caller to rethrow: kernels throw only unchecked
   * exceptions, passed on as they are.
   */
  static RuntimeException rethrow(Throwable thrown) {
    if (thrown instanceof RuntimeException unchecked) {
      return unchecked;
    }
    if (thrown instanceof Error error) {
      throw error;
    }
    return new IllegalStateException("a kernel threw a checked exception", thrown);
  }
}
