package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Embedding;
import dev.kiln.annotations.GRU;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * The words sample's character model ({@link Words}): windows of {@value #STEPS} symbols (a word
 * boundary or a letter a-z, as ids 0-26) -> Embedding(16) -> GRU(128) over time -> softmax over
 * the next symbol at every step. Generation runs it one step at a time ({@code ModelCore.step}).
 */
@Network(input = WordModel.STEPS, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, maxBatch = WordModel.BATCH)
@Adam(learningRate = 0.005)
public interface WordModel {
  int STEPS = 32;
  int BATCH = 64;
  /** The word boundary and the 26 letters. */
  int SYMBOLS = 27;

  @Embedding(inputDim = SYMBOLS, outputDim = 16)
  Layer embed();

  @GRU(units = 128, returnSequences = true)
  Layer gru();

  @Dense(units = SYMBOLS, activation = SOFTMAX)
  Layer next();
}
