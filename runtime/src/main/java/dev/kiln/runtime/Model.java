package dev.kiln.runtime;

import dev.kiln.runtime.optim.Optimizer;

/**
 * What every generated model offers: training, evaluation, prediction, the summary and weights.
 * Generated classes implement this interface and {@link #core()}; every other method delegates.
 *
 * <p>A model is not thread-safe: use one instance per thread.
 */
public interface Model {
  /** The seed generated models draw their initial weights from unless given another. */
  long DEFAULT_SEED = 42L;

  /** The engine behind the generated code. */
  ModelCore core();

  /** Trains with Keras-like options; returns the per-epoch history. */
  default History fit(float[][] x, float[][] y, FitOptions options) {
    return core().fit(x, y, options);
  }

  /**
   * Trains a network with several inputs: one array per input, in the order the {@code @Input}
   * methods are declared, each with one row per sample.
   */
  default History fit(java.util.List<float[][]> inputs, float[][] y, FitOptions options) {
    return core().fit(inputs, y, options);
  }

  /**
   * Trains from a dataset read one batch at a time (memory-mapped {@code .npy} or IDX files, a
   * source of your own; see {@link ModelCore#fit(dev.kiln.runtime.data.Dataset, FitOptions)}).
   */
  default History fit(dev.kiln.runtime.data.Dataset data, FitOptions options) {
    return core().fit(data, options);
  }

  /** Loss and accuracy on a dataset, read one batch at a time, with inference behaviour. */
  default Evaluation evaluate(dev.kiln.runtime.data.Dataset data) {
    return core().evaluate(data);
  }

  /** Trains for {@code epochs} epochs in shuffled batches of {@code batchSize}. */
  default History fit(float[][] x, float[][] y, int epochs, int batchSize) {
    return core().fit(x, y, FitOptions.epochs(epochs).withBatchSize(batchSize));
  }

  /**
   * Trains with Keras's {@code sample_weight}: sample i's loss is multiplied by {@code
   * sampleWeights[i]}; see {@link ModelCore#fit(float[][], float[][], float[], FitOptions)}.
   */
  default History fit(float[][] x, float[][] y, float[] sampleWeights, FitOptions options) {
    return core().fit(x, y, sampleWeights, options);
  }

  /** One optimizer step on one batch with per-sample loss weights; returns the weighted loss before the step. */
  default double trainOnBatch(float[][] x, float[][] y, float[] sampleWeights) {
    return core().trainOnBatch(x, y, sampleWeights);
  }

  /** Loss (weighted per sample, as Keras's {@code sample_weight}) and accuracy, with inference behaviour. */
  default Evaluation evaluate(float[][] x, float[][] y, float[] sampleWeights) {
    return core().evaluate(x, y, sampleWeights);
  }

  /** One optimizer step on one batch; returns the batch's loss before the step. */
  default double trainOnBatch(float[][] x, float[][] y) {
    return core().trainOnBatch(x, y);
  }

  /** One optimizer step on one batch of a network with several inputs. */
  default double trainOnBatch(java.util.List<float[][]> inputs, float[][] y) {
    return core().trainOnBatch(inputs, y);
  }

  /** Loss and accuracy of a network with several inputs, one array per input. */
  default Evaluation evaluate(java.util.List<float[][]> inputs, float[][] y) {
    return core().evaluate(inputs, y);
  }

  /** Predictions of a network with several inputs, one array per input. */
  default float[][] predict(java.util.List<float[][]> inputs) {
    return core().predict(inputs);
  }

  /** See {@link ModelCore#evaluate(float[][], float[][], Metrics)}. */
  default Evaluation evaluate(float[][] x, float[][] y, Metrics metrics) {
    return core().evaluate(x, y, metrics);
  }

  /** Loss and accuracy on the given data, with inference behaviour. */
  default Evaluation evaluate(float[][] x, float[][] y) {
    return core().evaluate(x, y);
  }

  /** The prediction for one sample (allocates the result). */
  default float[] predict(float[] x) {
    float[] out = new float[core().info().outputSize()];
    core().predict(x, out);
    return out;
  }

  /** The prediction for one sample into {@code out}; allocates nothing. */
  default void predict(float[] x, float[] out) {
    core().predict(x, out);
  }

  /** Predictions for each row of {@code x}. */
  default float[][] predict(float[][] x) {
    return core().predict(x);
  }

  /**
   * A thread-safe predictor over a snapshot of the current weights, for serving while this model
   * keeps training (see {@link ModelCore#inference()}).
   */
  default Inference inference() {
    return core().inference();
  }

  /**
   * As {@link #inference()}, the snapshot's weights stored in {@code format} (see {@link
   * WeightFormat#BFLOAT16}: half the bytes for batch-1 serving).
   */
  default Inference inference(WeightFormat format) {
    return core().inference(format);
  }

  /** The layer table, as Keras's {@code summary()} prints it. */
  default String summary() {
    return core().summary();
  }

  /** Saves the weights as safetensors, PyTorch {@code state_dict} names and layouts. */
  default void save(java.nio.file.Path path) throws java.io.IOException {
    core().save(path);
  }

  /** Loads weights saved by {@link #save} or by PyTorch; on any mismatch nothing changes. */
  default void load(java.nio.file.Path path) throws java.io.IOException {
    core().load(path);
  }

  /** See {@link ModelCore#saveCheckpoint}. */
  default void saveCheckpoint(java.nio.file.Path path) throws java.io.IOException {
    core().saveCheckpoint(path);
  }

  /** See {@link ModelCore#loadCheckpoint}. */
  default void loadCheckpoint(java.nio.file.Path path) throws java.io.IOException {
    core().loadCheckpoint(path);
  }

  /**
   * Runs the generated passes on zeros until the JIT has compiled them (about two thousand
   * iterations at batch 32, or the maximum batch if smaller), so the first real call is fast.
   * Leaves parameters and optimizer state unchanged. Returns the seconds it took.
   */
  default double warmUp() {
    return core().warmUp(Math.min(32, core().maxBatch()), 2000);
  }

  /** Number of parameters. */
  default int parameterCount() {
    return core().info().parameterCount();
  }

  /** The optimizer used by {@code fit}. */
  default Optimizer optimizer() {
    return core().optimizer();
  }

  /** Changes the learning rate for the following steps. */
  default void setLearningRate(float learningRate) {
    core().optimizer().setLearningRate(learningRate);
  }

  /** When on, every input is checked for NaN and infinity before use. */
  default void setInputChecks(boolean on) {
    core().setInputChecks(on);
  }
}
