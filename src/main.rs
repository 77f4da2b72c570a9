fn main() {
    koe_app::start();
}
