package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Add;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Concatenate;
import dev.kiln.annotations.GaussianNoise;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.Embedding;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.GRU;
import dev.kiln.annotations.LSTM;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Reshape;
import dev.kiln.annotations.SimpleRNN;
import dev.kiln.runtime.Layer;

/** Networks for the step-at-a-time tests beyond the recurrent fixtures ({@link RecurrentFixtureNetworks}). */
final class StepNetworks {
  private StepNetworks() {}

  /** A character model: ids [7] (vocabulary 13) -> Embedding(5) -> LSTM(6) over time -> softmax at every step. */
  @Network(input = 7, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, maxBatch = 8)
  @Adam(learningRate = 0.01)
  interface CharLstm {
    @Embedding(inputDim = 13, outputDim = 5)
    Layer embed();

    @LSTM(units = 6, returnSequences = true)
    Layer lstm();

    @Dense(units = 13, activation = SOFTMAX)
    Layer next();
  }

  /** Three kinds stacked over [6, 4] with dropout between them and a per-step Dense at the end. */
  @Network(input = {6, 4}, loss = Loss.MEAN_SQUARED_ERROR, maxBatch = 8)
  @Adam(learningRate = 0.01)
  interface Stacked {
    @GRU(units = 5, returnSequences = true)
    Layer gru();

    @Dropout(0.5)
    Layer dropout();

    @SimpleRNN(units = 4, returnSequences = true)
    Layer rnn();

    @LSTM(units = 3, returnSequences = true)
    Layer lstm();

    @Dense(units = 2, activation = TANH)
    Layer output();
  }

  /** A graph over time: two recurrent branches merged at every step, normalized and noised. */
  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR, maxBatch = 8)
  @Adam(learningRate = 0.01)
  interface MergedBranches {
    @GRU(units = 4, returnSequences = true)
    Layer gru(Layer input);

    @Dense(units = 4, activation = TANH)
    Layer perStep(Layer gru);

    @LSTM(units = 4, returnSequences = true)
    Layer lstm(Layer input);

    @Add
    Layer sum(Layer perStep, Layer lstm);

    @Concatenate
    Layer both(Layer sum, Layer gru);

    @LayerNorm
    Layer norm(Layer both);

    @BatchNorm
    Layer batchNorm(Layer norm);

    @GaussianNoise(stddev = 0.3)
    Layer noise(Layer batchNorm);

    @Dense(units = 2)
    Layer output(Layer noise);
  }

  /**
   * The token ids (a sequence) added to the LSTM's last step (no time axis): both [4], but a step
   * would add one id to a summary of all steps so far, which is not the whole pass at any position.
   */
  @Network(input = 4, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface AddsSequenceToLastStep {
    @Embedding(inputDim = 9, outputDim = 3)
    Layer embed(Layer input);

    @LSTM(units = 4)
    Layer lstm(Layer embed);

    @Add
    Layer sum(Layer input, Layer lstm);
  }

  /** Flatten over the time axis: the output at one step depends on all steps, so no step program. */
  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface FlattensTime {
    @LSTM(units = 4, returnSequences = true)
    Layer lstm();

    @Flatten
    Layer flat();

    @Dense(units = 2)
    Layer output();
  }

  /** A reshape after the last recurrent layer returned its last step: it mixes the positions of one output only. */
  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface ReshapesAfterLastStep {
    @GRU(units = 4)
    Layer gru();

    @Reshape({2, 2})
    Layer grid();

    @Dense(units = 3)
    Layer output();
  }
}
