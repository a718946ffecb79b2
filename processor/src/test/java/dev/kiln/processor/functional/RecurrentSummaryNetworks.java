package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.GRU;
import dev.kiln.annotations.LSTM;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.SimpleRNN;
import dev.kiln.runtime.Layer;

/** Recurrent networks for the summary (Keras's parameter counts) and allocation tests. */
final class RecurrentSummaryNetworks {
  private RecurrentSummaryNetworks() {}

  /** A character model's shape: 27 symbols one-hot over 10 steps. */
  @Network(input = {10, 27}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.002)
  interface CharModel {
    @LSTM(units = 128, returnSequences = true)
    Layer lstm();

    @GRU(units = 64, returnSequences = true)
    Layer gru();

    @SimpleRNN(units = 32)
    Layer rnn();

    @Dense(units = 27, activation = SOFTMAX)
    Layer output();
  }
}
