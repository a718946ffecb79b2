package dev.kiln.safetensors;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * PyTorch's {@code num_batches_tracked}: every {@code BatchNorm} module's {@code state_dict} holds
 * it next to {@code running_mean} and {@code running_var}, as an I64 scalar counting training
 * steps. The runtime and the compile-time {@code @Weights} check accept it by the same rule, which
 * looks at tensor names only: a counter {@code <p>.num_batches_tracked} belongs wherever the
 * network has {@code <p>.running_mean} or {@code <p>.running_var}.
 */
public final class BatchCounters {
  /** The suffix PyTorch gives the counter. */
  public static final String SUFFIX = "num_batches_tracked";

  private static final String[] STATISTICS = {"running_mean", "running_var"};

  private BatchCounters() {}

  /**
   * The counters a PyTorch {@code state_dict} of a network with these tensor names would hold, in
   * the order their statistics first appear: {@code <p>.num_batches_tracked} for every prefix
   * {@code p} with a {@code <p>.running_mean} or {@code <p>.running_var}. Names the network
   * already uses are left out.
   */
  public static Set<String> expectedFor(Collection<String> tensorNames) {
    Set<String> counters = new LinkedHashSet<>();
    for (String name : tensorNames) {
      for (String statistic : STATISTICS) {
        if (name.endsWith("." + statistic)) {
          String counter = name.substring(0, name.length() - statistic.length()) + SUFFIX;
          if (!tensorNames.contains(counter)) {
            counters.add(counter);
          }
        }
      }
    }
    return counters;
  }

  /**
   * Null when {@code tensor} is a valid counter (a scalar of an integer dtype: PyTorch writes I64),
   * else what is wrong, starting with the tensor's quoted name.
   */
  public static String problem(TensorInfo tensor) {
    if (tensor.dtype().isInteger() && tensor.shape().length == 0) {
      return null;
    }
    return "tensor \"" + tensor.name() + "\" has dtype " + tensor.dtype() + " and shape "
        + Arrays.toString(tensor.shape()) + ", expected an integer scalar (PyTorch writes I64, "
        + "shape [])";
  }
}
