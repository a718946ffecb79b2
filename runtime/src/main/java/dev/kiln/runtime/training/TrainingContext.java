package dev.kiln.runtime.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a {@link Callback} may do with the model being trained: read and put back its parameters
 * (early stopping's best weights), save them (checkpoints), and read or change the learning rate
 * (a plateau schedule). Narrow on purpose: callbacks do not drive the engine.
 */
public interface TrainingContext {
  /** A copy of all parameters, in the flat layout. */
  float[] parameters();

  /** Replaces all parameters with values taken by {@link #parameters()}. */
  void setParameters(float[] values);

  /** The optimizer's current learning rate. */
  float learningRate();

  /** Changes the learning rate for the following steps. */
  void setLearningRate(float learningRate);

  /** Saves the parameters as safetensors (atomically), PyTorch names and layouts. */
  void save(Path path) throws IOException;
}
