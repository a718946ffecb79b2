package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Embedding;
import dev.kiln.annotations.GRU;
import dev.kiln.annotations.LSTM;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.SimpleRNN;
import dev.kiln.runtime.Layer;

/**
 * The recurrent networks of processor/src/test/resources/fixtures/net_{lstm_seq,lstm_last,
 * lstm_stacked,gru_seq,gru_last,rnn_seq,rnn_last}.safetensors, declared as
 * runtime/src/test/python/make_fixtures.py builds them with PyTorch's nn.LSTM, nn.GRU and nn.RNN
 * (batch_first): each layer with returnSequences on and off, a stacked LSTM, Dense on a sequence,
 * odd sizes (T = 5, F = 3, H = 7); and net_embedding_lstm, token ids through an Embedding.
 */
final class RecurrentFixtureNetworks {
  private RecurrentFixtureNetworks() {}

  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface NetLstmSeq {
    @LSTM(units = 7, returnSequences = true)
    Layer lstm();
  }

  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface NetLstmLast {
    @LSTM(units = 7)
    Layer lstm();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = {6, 4}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface NetLstmStacked {
    @LSTM(units = 6, returnSequences = true)
    Layer first();

    @LSTM(units = 5)
    Layer second();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  /** Dense on the GRU's [5, 7] sequence: applies at every step. */
  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface NetGruSeq {
    @GRU(units = 7, returnSequences = true)
    Layer gru();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = {5, 3}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface NetGruLast {
    @GRU(units = 7)
    Layer gru();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface NetRnnSeq {
    @SimpleRNN(units = 4, returnSequences = true)
    Layer rnn();
  }

  @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01)
  interface NetRnnLast {
    @SimpleRNN(units = 6)
    Layer rnn();

    @Dense(units = 2)
    Layer output();
  }

  /** Token ids [6] (vocabulary 11) -> Embedding(4) -> LSTM(5) -> Dense(3, softmax). */
  @Network(input = 6, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface NetEmbeddingLstm {
    @Embedding(inputDim = 11, outputDim = 4)
    Layer embed();

    @LSTM(units = 5)
    Layer lstm();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }
}
