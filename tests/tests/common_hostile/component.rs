//! Hostile components: the detector world (wit/wikiwatch.wit) with every function body replaced,
//! so `wikiwatch replay --module` loads them like a real detector and then cannot get out of them.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{BlockType, CodeSection, Instruction, Module};
use wit_component::{dummy_module, embed_component_metadata, ComponentEncoder, StringEncoding};
use wit_parser::{ManglingAndAbi, Resolve};

/// What every function of the hostile component does.
#[derive(Debug, Clone, Copy)]
pub enum Hostile {
    /// `loop br 0 end`: spins until something outside stops it.
    InfiniteLoop,
    /// Grows memory by 64 MiB at a time, forever.
    MemoryBomb,
}

struct Rewrite(Hostile);

impl Reencode for Rewrite {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        f.instruction(&Instruction::Loop(BlockType::Empty));
        if let Hostile::MemoryBomb = self.0 {
            f.instruction(&Instruction::I32Const(1024));
            f.instruction(&Instruction::MemoryGrow(0));
            f.instruction(&Instruction::Drop);
        }
        f.instruction(&Instruction::Br(0));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::Unreachable);
        f.instruction(&Instruction::End);
        code.function(&f);
        Ok(())
    }
}

/// A component exporting the detector world whose every function is `kind`.
pub fn build(kind: Hostile) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_dir(wikiwatch_tests::root().join("wit")).expect("wit/ parses");
    let world = resolve.select_world(&[pkg], Some("detector")).expect("the detector world");
    let dummy = dummy_module(&resolve, world, ManglingAndAbi::Standard32);
    let mut module = Module::new();
    let parser = wasmparser::Parser::new(0);
    Rewrite(kind).parse_core_module(&mut module, parser, &dummy).expect("rewrite the module");
    // Keep the round-trip reencoder linked in for types the rewrite leaves alone.
    let _ = RoundtripReencoder;
    let mut bytes = module.finish();
    embed_component_metadata(&mut bytes, &resolve, world, StringEncoding::UTF8, true)
        .expect("embed the world");
    ComponentEncoder::default()
        .module(&bytes)
        .expect("a core module")
        .validate(true)
        .encode()
        .expect("a valid component")
}
