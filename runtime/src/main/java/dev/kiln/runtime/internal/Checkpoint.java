package dev.kiln.runtime.internal;

import dev.kiln.runtime.kernels.Noise;
import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import dev.kiln.runtime.optim.Optimizer;
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
 * A training checkpoint in one safetensors file, written atomically: the parameters under their
 * PyTorch names (as {@link Weights#save}), each optimizer state array as {@code optimizer.<name>}
 * ({@code optimizer.m}, {@code optimizer.v}, {@code optimizer.velocity}), and in the metadata the
 * optimizer's kind, iteration count and learning rate, the noise stream's state and the epoch the
 * last fit reached. Loading it into a new instance of the same network with the same optimizer
 * kind resumes training exactly where it stopped.
 */
public final class Checkpoint {
  static final String PREFIX = "optimizer.";

  private Checkpoint() {}

  /**
   * What a checkpoint restores besides parameters and optimizer arrays.
   *
   * @param noise the model's noise state (slots of {@code kernels.Noise})
   */
  public record State(long[] noise, int epoch) {}

  public static void save(NetworkInfo info, float[] params, Optimizer optimizer, long[] noise, int epoch, Path path)
      throws IOException {
    List<SafeTensors.Entry> tensors = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        tensors.add(SafeTensors.Tensor.of(slice.name(), slice.read(params), longs(slice.shape())));
        names.add(slice.name());
      }
    }
    for (String counter : BatchCounters.expectedFor(names)) {
      tensors.add(SafeTensors.LongTensor.scalar(counter, 0));
    }
    for (Map.Entry<String, float[]> e : optimizer.state().entrySet()) {
      tensors.add(SafeTensors.Tensor.of(PREFIX + e.getKey(), e.getValue().clone(), e.getValue().length));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("kiln.network", info.name());
    metadata.put("kiln.checkpoint", "1");
    metadata.put("kiln.optimizer", kind(optimizer));
    metadata.put("kiln.optimizer.describe", optimizer.describe());
    metadata.put("kiln.optimizer.iterations", Long.toString(optimizer.iterations()));
    metadata.put("kiln.optimizer.learning_rate", Float.toString(optimizer.learningRate()));
    metadata.put("kiln.noise", Long.toString(noise[Noise.STREAM]));
    metadata.put("kiln.augmentation.seed", Long.toString(noise[Noise.AUGMENTATION_SEED]));
    metadata.put("kiln.augmentation.samples", Long.toString(noise[Noise.SAMPLES_SEEN]));
    metadata.put("kiln.epoch", Integer.toString(epoch));
    SafeTensors.write(path, tensors, metadata);
  }

  /**
   * Reads and checks everything (network, optimizer kind, every tensor's presence and shape, nothing
   * unexpected) before changing the parameters or the optimizer; a failed load changes nothing.
   */
  public static State load(NetworkInfo info, float[] params, Optimizer optimizer, Path path) throws IOException {
    SafeTensorsFile file = SafeTensors.read(path);
    Map<String, String> meta = file.metadata();
    if (!"1".equals(meta.get("kiln.checkpoint"))) {
      throw new KilnFormatException(path + ": not a Kiln checkpoint (no kiln.checkpoint metadata); "
          + "weights files load with load() or loadPartial()");
    }
    if (!info.name().equals(meta.get("kiln.network"))) {
      throw new KilnFormatException(path + ": a checkpoint of network " + meta.get("kiln.network")
          + ", not " + info.name());
    }
    if (!kind(optimizer).equals(meta.get("kiln.optimizer"))) {
      throw new KilnFormatException(path + ": saved with optimizer " + meta.get("kiln.optimizer.describe")
          + ", this model has " + optimizer.describe());
    }
    long iterations = parseLong(path, meta, "kiln.optimizer.iterations");
    long[] noise = new long[Noise.STATE_LENGTH];
    Noise.seed(noise, parseLong(path, meta, "kiln.noise"));
    // Checkpoints written before augmentation layers existed have no augmentation state.
    if (meta.containsKey("kiln.augmentation.seed") || meta.containsKey("kiln.augmentation.samples")) {
      noise[Noise.AUGMENTATION_SEED] = parseLong(path, meta, "kiln.augmentation.seed");
      noise[Noise.SAMPLES_SEEN] = parseLong(path, meta, "kiln.augmentation.samples");
    }
    int epoch = (int) parseLong(path, meta, "kiln.epoch");
    float learningRate;
    try {
      learningRate = Float.parseFloat(meta.get("kiln.optimizer.learning_rate"));
    } catch (RuntimeException e) {
      throw new KilnFormatException(path + ": bad kiln.optimizer.learning_rate "
          + meta.get("kiln.optimizer.learning_rate"));
    }
    Set<String> unexpected = new LinkedHashSet<>();
    for (TensorInfo t : file.tensors()) {
      unexpected.add(t.name());
    }
    List<TensorSlice> slices = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        names.add(slice.name());
        unexpected.remove(slice.name());
        if (!file.contains(slice.name())) {
          throw new KilnFormatException(path + ": missing tensor " + slice.name());
        }
        slices.add(slice);
        values.add(file.floats(slice.name(), longs(slice.shape())));
      }
    }
    for (String counter : BatchCounters.expectedFor(names)) {
      unexpected.remove(counter);
    }
    Map<String, float[]> state = optimizer.state();
    List<float[]> stateValues = new ArrayList<>();
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      String name = PREFIX + e.getKey();
      unexpected.remove(name);
      if (!file.contains(name)) {
        throw new KilnFormatException(path + ": missing optimizer state " + name);
      }
      stateValues.add(file.floats(name, e.getValue().length));
    }
    if (!unexpected.isEmpty()) {
      throw new KilnFormatException(path + ": unexpected tensors " + String.join(", ", unexpected));
    }
    for (int i = 0; i < slices.size(); i++) {
      slices.get(i).write(values.get(i), params);
    }
    int i = 0;
    for (float[] array : state.values()) {
      float[] saved = stateValues.get(i++);
      System.arraycopy(saved, 0, array, 0, array.length);
    }
    optimizer.setIterations(iterations);
    optimizer.setLearningRate(learningRate);
    return new State(noise, epoch);
  }

  /** The optimizer's kind: its description up to the hyperparameters ({@code Adam}, {@code Momentum}). */
  private static String kind(Optimizer optimizer) {
    String d = optimizer.describe();
    int paren = d.indexOf('(');
    return paren < 0 ? d : d.substring(0, paren);
  }

  private static long parseLong(Path path, Map<String, String> meta, String key) throws KilnFormatException {
    try {
      return Long.parseLong(meta.get(key));
    } catch (RuntimeException e) {
      throw new KilnFormatException(path + ": bad or missing " + key + " metadata: " + meta.get(key));
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
