// Runs after the invoker built and ran the quick start (build.log holds its output).
def log = new File(basedir, 'build.log').text
assert log.contains('Model: "Iris"') : 'no model summary in build.log'
assert log.contains('Total params: 83 ') : 'Iris 4-10-3 has 4*10+10 + 10*3+3 = 83 parameters'
assert log.contains('Epoch 1000/1000') : 'training did not run 1000 epochs'
def m = log =~ /validation accuracy ([0-9.]+), test accuracy ([0-9.]+), first test sample \[([^\]]+)\]/
assert m.find() : 'no accuracy line in build.log'
double validation = m.group(1) as double
double test = m.group(2) as double
assert validation >= 0.9 : "validation accuracy ${validation}"
assert test >= 0.9 : "test accuracy ${test}"
def p = m.group(3).split(', ').collect { it as double }
assert p.size() == 3 && Math.abs(p.sum() - 1.0) < 1e-5 : "probabilities ${p}"
def weights = new File(basedir, 'iris.safetensors')
assert weights.length() == 8 + new java.io.RandomAccessFile(weights, 'r').withCloseable { f ->
  byte[] b = new byte[8]; f.readFully(b)
  java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()
} + 83 * 4 : 'iris.safetensors holds the 83 float32 parameters after its header'
return true
