import time, sys, importlib
T0=None
from tests import benchmark
h = benchmark._harness()
import pulumi
marks=[]
import builtins
orig_import = builtins.__import__
def mark(label): marks.append((label, time.perf_counter()))
from components import targets as T
oc = T.chosen
def chosen(env):
    mark("before chosen"); r = oc(env); mark("after chosen")
    osp, odep = r.specs, r.deploy
    def specs(s):
        mark("before specs"); x = osp(s); mark("after specs"); return x
    def deploy(*a):
        mark("before deploy"); x = odep(*a); mark("after deploy"); return x
    r.specs = specs; r.deploy = deploy
    return r
T.chosen = chosen
t=time.perf_counter()
h.run_program("local")
mark("end")
prev=t
for l, v in marks:
    print(f"{l:15} +{v-prev:.3f}  at {v-t:.3f}"); prev=v
