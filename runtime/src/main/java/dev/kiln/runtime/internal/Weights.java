package dev.kiln.runtime.internal;

import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import dev.kiln.safetensors.BatchCounters;
import dev.kiln.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves and loads a model's parameters as safetensors, under PyTorch's {@code state_dict} names
 * and layouts ({@code hidden.weight} is [out, in]), so files move both ways between Kiln and
 * PyTorch.
 *
 * <p>PyTorch's batch norm also keeps {@code <layer>.num_batches_tracked}, an I64 scalar counting
 * training steps, which Kiln does not track (its moving statistics use a fixed momentum, as
 * Keras's do). The rule is by tensor names ({@link BatchCounters}): for every layer with a {@code
 * running_mean} or {@code running_var} tensor, {@link #save} writes the counter as 0, so PyTorch's
 * strict {@code load_state_dict} finds its own layout, and {@link #load} accepts the counter if
 * present (it must be an integer scalar), checks it and discards its value.
 */
public final class Weights {
  private Weights() {}

  public static void save(NetworkInfo info, float[] params, Path path) throws IOException {
    List<SafeTensors.Entry> tensors = new ArrayList<>();
    for (LayerInfo layer : info.layers()) {
      List<String> names = new ArrayList<>();
      for (TensorSlice slice : layer.tensors()) {
        tensors.add(SafeTensors.Tensor.of(slice.name(), slice.read(params), longs(slice.shape())));
        names.add(slice.name());
      }
      for (String counter : BatchCounters.expectedFor(names)) {
        tensors.add(SafeTensors.LongTensor.scalar(counter, 0)); // steps are not counted: 0
      }
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("kiln.network", info.name());
    SafeTensors.write(path, tensors, metadata);
  }

  /**
   * Replaces {@code params} with the file's tensors. Every tensor is read and checked (present,
   * float32, the right shape, nothing unexpected) before any parameter changes, so a failed load
   * leaves the model as it was. A batch-norm step counter ({@code num_batches_tracked}) is
   * optional, checked and ignored.
   */
  public static void load(NetworkInfo info, float[] params, Path path) throws IOException {
    load(info, params, SafeTensors.read(path));
  }

  /** As {@link #load(NetworkInfo, float[], Path)} for a file already read (from a path or from bytes). */
  public static void load(NetworkInfo info, float[] params, SafeTensorsFile file) throws IOException {
    String path = file.source();
    Set<String> unexpected = new LinkedHashSet<>();
    for (TensorInfo t : file.tensors()) {
      unexpected.add(t.name());
    }
    List<TensorSlice> slices = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        names.add(slice.name());
        unexpected.remove(slice.name());
        if (!file.contains(slice.name())) {
          missing.add(slice.name());
          continue;
        }
        slices.add(slice);
        values.add(file.floats(slice.name(), longs(slice.shape())));
      }
    }
    for (String counter : BatchCounters.expectedFor(names)) {
      if (unexpected.remove(counter)) {
        String problem = BatchCounters.problem(file.info(counter));
        if (problem != null) {
          throw new KilnFormatException(path + ": " + problem);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new KilnFormatException(path + ": missing tensor" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing) + " needed by network " + info.name());
    }
    if (!unexpected.isEmpty()) {
      throw new KilnFormatException(path + ": unexpected tensor" + (unexpected.size() > 1 ? "s " : " ")
          + String.join(", ", unexpected) + " not in network " + info.name());
    }
    for (int i = 0; i < slices.size(); i++) {
      slices.get(i).write(values.get(i), params);
    }
  }

  private static long[] longs(int[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }
}
