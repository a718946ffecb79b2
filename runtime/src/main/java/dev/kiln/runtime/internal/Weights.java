package dev.kiln.runtime.internal;

import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadReport;
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
 *
 * <p>A tensor Kiln keeps as one but PyTorch as several that only act as their sum (an LSTM's
 * {@code bias_ih_l0} and {@code bias_hh_l0}; {@link TensorSlice#savedAs}) is saved as the value
 * under the first name and zeros under the others, and loaded as the sum of all of them.
 */
public final class Weights {
  private Weights() {}

  public static void save(NetworkInfo info, float[] params, Path path) throws IOException {
    List<SafeTensors.Entry> tensors = new ArrayList<>();
    for (LayerInfo layer : info.layers()) {
      List<String> names = new ArrayList<>();
      for (TensorSlice slice : layer.tensors()) {
        float[] value = slice.read(params);
        for (String saved : slice.savedNames()) {
          tensors.add(SafeTensors.Tensor.of(saved, value, longs(slice.shape())));
          names.add(saved);
          value = new float[value.length]; // the parts after the first are zeros
        }
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
   * float32, the right shape, nothing unexpected, every value finite) before any parameter changes, so a failed load
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
        float[] sum = null;
        for (String saved : slice.savedNames()) {
          names.add(saved);
          unexpected.remove(saved);
          if (!file.contains(saved)) {
            missing.add(saved);
            continue;
          }
          float[] part = file.floats(saved, longs(slice.shape()));
          if (sum == null) {
            sum = part;
          } else {
            for (int i = 0; i < sum.length; i++) {
              sum[i] += part[i];
            }
          }
        }
        if (sum != null) {
          slices.add(slice);
          values.add(sum);
        }
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
      float[] v = values.get(i);
      for (int j = 0; j < v.length; j++) {
        if (!Float.isFinite(v[j])) {
          throw new KilnFormatException(path + ": tensor " + slices.get(i).name() + " has " + v[j] + " at element "
              + j + "; Kiln loads finite weights only (to load such a file anyway, read it with SafeTensors.read"
              + " and pass the values to ModelCore.setParameters(values, true))");
        }
      }
    }
    for (int i = 0; i < slices.size(); i++) {
      slices.get(i).write(values.get(i), params);
    }
  }

  /**
   * Reads the tensors of {@code path} that {@code options} map onto wanted layers (see {@link
   * LoadOptions}) and reports what was loaded, skipped, missing and of the wrong shape. Everything is
   * read and checked before any parameter changes; a strict load that is not complete throws
   * {@link dev.kiln.runtime.PartialLoadException} carrying the report and changes nothing.
   */
  public static LoadReport loadPartial(NetworkInfo info, float[] params, Path path, LoadOptions options)
      throws IOException {
    java.util.Objects.requireNonNull(options, "options");
    Set<String> wantedLayers = options.wantedLayers();
    if (wantedLayers != null) {
      for (String name : wantedLayers) {
        if (info.layers().stream().noneMatch(l -> l.name().equals(name))) {
          throw new IllegalArgumentException("LoadOptions.layers names no layer '" + name + "' of network "
              + info.name() + "; layers are " + info.layers().stream().map(LayerInfo::name).toList());
        }
      }
    }
    SafeTensorsFile file = SafeTensors.read(path);
    Map<String, TensorSlice> wanted = new LinkedHashMap<>();
    for (LayerInfo layer : info.layers()) {
      if (wantedLayers == null || wantedLayers.contains(layer.name())) {
        for (TensorSlice slice : layer.tensors()) {
          wanted.put(slice.name(), slice);
        }
      }
    }
    Set<String> counters = BatchCounters.expectedFor(wanted.keySet());
    Map<String, String> modelToFile = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (TensorInfo t : file.tensors()) {
      String modelName = options.modelName(t.name());
      if (wanted.containsKey(modelName)) {
        String earlier = modelToFile.putIfAbsent(modelName, t.name());
        if (earlier != null) {
          throw new KilnFormatException(path + ": file tensors " + earlier + " and " + t.name()
              + " both map to " + modelName + " (" + options + ")");
        }
      } else if (counters.contains(modelName)) {
        String problem = BatchCounters.problem(t); // checked, then discarded as in load
        if (problem != null) {
          throw new KilnFormatException(path + ": " + problem);
        }
      } else {
        skipped.add(t.name());
      }
    }
    List<LoadReport.Loaded> loaded = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<LoadReport.WrongShape> wrongShape = new ArrayList<>();
    List<TensorSlice> slices = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    for (Map.Entry<String, TensorSlice> e : wanted.entrySet()) {
      String fileName = modelToFile.get(e.getKey());
      if (fileName == null) {
        missing.add(e.getKey());
        continue;
      }
      TensorInfo t = file.info(fileName);
      long[] expected = longs(e.getValue().shape());
      if (t.dtype() != dev.kiln.safetensors.DType.F32 || !java.util.Arrays.equals(t.shape(), expected)) {
        String fileShape = java.util.Arrays.toString(t.shape()) + (t.dtype() == dev.kiln.safetensors.DType.F32 ? ""
            : " " + t.dtype());
        wrongShape.add(new LoadReport.WrongShape(e.getKey(), fileName, fileShape,
            java.util.Arrays.toString(expected)));
        continue;
      }
      slices.add(e.getValue());
      values.add(file.floats(fileName, expected));
      List<Long> shape = new ArrayList<>();
      for (long d : expected) {
        shape.add(d);
      }
      loaded.add(new LoadReport.Loaded(e.getKey(), fileName, shape));
    }
    boolean complete = skipped.isEmpty() && missing.isEmpty() && wrongShape.isEmpty();
    boolean apply = complete || !options.isStrict();
    LoadReport report = new LoadReport(path.toString(), loaded, skipped, missing, wrongShape, apply);
    if (!apply) {
      throw new dev.kiln.runtime.PartialLoadException(path + ": strict load into network " + info.name()
          + " failed, no parameter changed (LoadOptions.strict(false) loads what fits)\n" + report, report);
    }
    for (int i = 0; i < slices.size(); i++) {
      slices.get(i).write(values.get(i), params);
    }
    return report;
  }

  private static long[] longs(int[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }
}
