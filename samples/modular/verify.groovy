// Runs after the invoker built and ran the modular consumer (build.log holds its output).
def log = new File(basedir, 'build.log').text
assert log.contains('modules: com.example.modular, dev.kiln.runtime, dev.kiln.annotations') :
    'the consumer and Kiln ran as named modules (Automatic-Module-Name)'
assert log.contains('XOR rounded predictions: [0, 1, 1, 0]') : 'XOR trained from the module path'
def generated = new File(basedir, 'target/generated-sources/annotations/com/example/modular/XorModel.java')
assert generated.isFile() : "${generated} was not generated"
assert !generated.text.contains('Generated(') : 'no @Generated in a module that does not read java.compiler'
return true
